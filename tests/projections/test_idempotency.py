"""An event id names one event (issue 20, item 4): in every fold, a redelivery (the same
content) is a silent duplicate and the same id with other content is refused, with a
reason naming the first event, the state unchanged; replay decides the same."""

from __future__ import annotations

from dataclasses import replace

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import evolve_agreement
from projections.agreement.state import AgreementBook
from projections.dispute.fold import evolve_dispute
from projections.dispute.state import dispute_from_json, dispute_to_json
from projections.idempotency import content_digest, reuse_problem
from projections.lead.fold import advance, evolve
from projections.lead.state import LeadState, state_from_json, state_to_json
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope, Recorded
from schemas.lead_events import LeadCaptured, Person
from tests.support.agreements import Agreement
from tests.support.agreements import at as agreement_at
from tests.support.agreements import fold as fold_agreement
from tests.support.leads import Lead, at, fold

POLICY = Policy()


def other_email(event: LeadCaptured) -> LeadCaptured:
    data = event.data.model_copy(update={"person": Person(email="someone.else@example.com")})
    return event.model_copy(update={"data": data})


def test_the_digest_leaves_out_what_the_system_stamps_and_keeps_the_rest() -> None:
    event = Lead().captured()
    stamped = event.model_copy(
        update={
            "source_kind": "external",
            "record": Recorded(recorded_at=at(1), prev_hash="p", hash="h"),
        }
    )
    assert content_digest(stamped) == content_digest(event)
    assert content_digest(other_email(event)) != content_digest(event)
    assert content_digest(event.model_copy(update={"source": "partner-b"})) != content_digest(event)
    assert content_digest(event.model_copy(update={"occurred_at": at(1)})) != content_digest(event)


def test_a_capture_reused_with_another_email_is_refused_naming_the_first() -> None:
    capture = Lead().captured()
    state = fold([capture]).lead
    outcome = evolve(state, other_email(capture), POLICY)
    assert outcome.rejection is not None
    assert capture.event_id in outcome.rejection
    assert state.digests[capture.event_id] in outcome.rejection
    assert "already used by another event" in outcome.rejection
    assert outcome.state == state  # nothing changes, not even the digest
    assert not outcome.duplicate
    assert outcome.emitted == ()


def test_a_true_redelivery_stays_a_silent_duplicate() -> None:
    lead = Lead()
    capture, activity = lead.captured(), lead.activity(at(1), "demo_request", points=80)
    state = fold([capture, activity]).lead
    for again in (capture, activity, activity.model_copy(update={"source_kind": "internal"})):
        outcome = evolve(state, again, POLICY)
        assert (outcome.duplicate, outcome.rejection, outcome.state) == (True, None, state)


def test_an_activity_id_reused_with_other_content_is_refused_and_changes_nothing() -> None:
    lead = Lead()
    activity = lead.activity(at(1), "webinar", points=5)
    state = fold([lead.captured(), activity]).lead
    reused = activity.model_copy(update={"data": activity.data.model_copy(update={"points": 90})})
    outcome = evolve(state, reused, POLICY)
    assert outcome.rejection is not None
    assert activity.event_id in outcome.rejection
    assert outcome.state == state
    assert outcome.state is not None
    assert outcome.state.score == state.score


def test_a_refused_event_keeps_its_digest_too() -> None:
    lead = Lead()
    capture = lead.captured()
    second = lead.captured().model_copy(update={"event_id": "L1-second"})
    state = evolve(fold([capture]).lead, second, POLICY).state  # refused: a second capture
    assert state is not None
    assert "L1-second" in state.digests
    assert evolve(state, second, POLICY).duplicate
    assert evolve(state, other_email(second), POLICY).rejection is not None


def test_the_digests_survive_the_table_and_an_old_state_without_them_still_dedupes() -> None:
    capture = Lead().captured()
    state = fold([capture]).lead
    assert state_from_json(state_to_json(state)) == state
    old = replace(state, digests={})  # stored before digests were kept
    stored = state_to_json(old).replace(b',"digests":{}', b"")
    assert b"digests" not in stored
    loaded = state_from_json(stored)
    assert loaded.digests == {}
    assert evolve(loaded, other_email(capture), POLICY).duplicate  # content unknown


def test_an_erased_leads_capture_again_is_a_duplicate() -> None:
    """The key is shredded: a capture sealed again has other bytes but may be the same."""
    capture = Lead().captured()
    state = fold([capture]).lead
    erased = replace(state, erasure=object())  # type: ignore[arg-type]
    assert reuse_problem(other_email(capture), erased.digests) is not None
    assert evolve(erased, other_email(capture), POLICY).duplicate


def test_agreement_and_dispute_ids_reused_with_other_content_are_refused() -> None:
    agreement = Agreement()
    proposed = agreement.proposed()
    signed = agreement.signed(agreement_at(1), "gen")
    state, _, rejections = fold_agreement([proposed, signed])
    assert state is not None
    assert rejections == []
    assert agreement_from_json(agreement_to_json(state)) == state
    assert evolve_agreement(state, signed, POLICY).duplicate
    forged = signed.model_copy(update={"actor": "someone@else"})
    refused = evolve_agreement(state, forged, POLICY)
    assert refused.rejection is not None
    assert signed.event_id in refused.rejection
    assert refused.state == state
    assert not refused.duplicate

    both = [proposed, *agreement.signed_by_all(agreement_at(1))]
    book_state, _, _ = fold_agreement(both)
    assert book_state is not None
    book = AgreementBook({agreement.agreement_id: book_state})
    opened = agreement.dispute_opened(agreement_at(2))
    dispute = evolve_dispute(None, opened, POLICY, book).state
    assert dispute is not None
    assert dispute_from_json(dispute_to_json(dispute)) == dispute
    assert evolve_dispute(dispute, opened, POLICY, book).duplicate
    other = opened.model_copy(update={"occurred_at": agreement_at(3)})
    reused = evolve_dispute(dispute, other, POLICY, book)
    assert reused.rejection is not None
    assert opened.event_id in reused.rejection
    assert reused.state == dispute


def test_replay_of_the_record_log_decides_as_live() -> None:
    """Live: the reuse is refused and never appended (the recorder skips a seen id), a
    redelivery may be appended twice (a crash before the head landed); replay of what
    was appended gives the live state, digests included."""
    lead = Lead()
    capture, activity = lead.captured(), lead.activity(at(1), "demo_request", points=80)
    reused = activity.model_copy(update={"data": activity.data.model_copy(update={"points": 1})})
    live: LeadState | None = None
    appended: list[Envelope] = []
    for event in (capture, activity, activity, reused):
        before = live
        outcome = evolve(live, event, POLICY)
        if outcome.rejection is None:
            live = outcome.state
        if before is None or event.event_id not in before.seen:
            appended.append(event)
    appended.append(activity)  # a redelivery recorded twice
    assert live is not None
    assert appended.count(reused) == 0
    replayed = replay(appended, at(2), POLICY).leads[lead.lead_id]
    assert replayed.digests == live.digests
    assert state_to_json(replayed) == state_to_json(advance(live, at(2), POLICY).state or live)
