"""The worker's agreement book folds agreement messages with the pure fold, and only them."""

from __future__ import annotations

from projections.agreement.state import ACTIVE, state_at
from projections.policy import Policy
from schemas.codec import encode
from streams.state.agreement_book import AgreementBookFollower
from tests.support.agreements import Agreement, at


def test_apply_folds_agreement_events_and_ignores_the_rest() -> None:
    follower = AgreementBookFollower({"bootstrap_servers": "127.0.0.1:1"}, "t.agreements", Policy())
    ag = Agreement()
    for event in [ag.proposed(), *ag.signed_by_all(at(1)), ag.signed(at(2), "stranger")]:
        follower.apply(encode(event))
    follower.apply(encode(ag.dispute_opened(at(3))))  # a dispute is the agent's, not the book's
    follower.apply(b"not avro")
    follower.apply(None)
    state = follower.get("AG1")
    assert state is not None
    assert state_at(state, at(2)) == ACTIVE
    assert state.signed_by == {"gen", "rec"}  # the stranger's signature was refused
    assert [a.agreement_id for a in follower.all()] == ["AG1"]
    assert list(follower.book) == ["AG1"]
