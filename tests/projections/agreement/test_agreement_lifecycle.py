"""Review, expiry, renewal and termination of the agreement fold (elements 5 and 10)."""

from __future__ import annotations

from datetime import datetime

from projections.agreement.state import ACTIVE, EXPIRED, TERMINATED, state_at
from projections.agreement.step import add_months
from projections.history import iso_z
from projections.ids import derived_id
from schemas.agreement_events import Terms
from schemas.envelope import Envelope
from tests.support.agreements import T0, Agreement, at, fold, of_type, terms

SIGNED = at(1)


def _active(ag: Agreement, the_terms: Terms | None = None) -> list[Envelope]:
    return [ag.proposed(T0, the_terms or terms()), *ag.signed_by_all(SIGNED)]


def _escalations(emitted: list[Envelope]) -> list[tuple[str, datetime]]:
    return [(e.data.rule, e.data.due_at) for e in of_type(emitted, "EscalationRaised")]


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(datetime.fromisoformat("2026-01-31T00:00:00+00:00"), 1).day == 28
    assert add_months(datetime.fromisoformat("2026-11-30T00:00:00+00:00"), 3).month == 2
    assert add_months(T0, 12) == T0.replace(year=2027)


def test_review_due_every_review_period_from_activation() -> None:
    ag = Agreement()
    _, emitted, _ = fold(_active(ag, terms(review_every_months=3, expires_at=None)), until=at(400))
    reviews = [due for rule, due in _escalations(emitted) if rule == "AGREEMENT_REVIEW_DUE"]
    assert reviews == [add_months(SIGNED, 3 * n) for n in (1, 2, 3, 4)]
    first = of_type(emitted, "EscalationRaised")[0]
    assert first.data.notify == ["legal@gen"]  # the document owner
    clock_id = "AGREEMENT_REVIEW_DUE:AG1:1"
    assert first.data.escalation_id == derived_id("AG1", clock_id, reviews[0].isoformat())
    assert first.data.details["review_cycle"] == "1"


def test_expiring_30_days_before_then_expired_without_auto_renew() -> None:
    ag = Agreement()
    state, emitted, _ = fold(_active(ag, terms(review_every_months=24)), until=at(366))
    assert _escalations(emitted) == [("AGREEMENT_EXPIRING", at(335))]
    assert of_type(emitted, "EscalationRaised")[0].data.notify == ["gen", "rec"]
    assert state is not None
    assert (state.status, state.clocks) == (EXPIRED, ())
    assert state_at(state, at(364)) == ACTIVE
    assert state_at(state, at(365)) == EXPIRED


def test_auto_renew_renews_for_the_same_term_length() -> None:
    ag = Agreement()
    yearly = terms(auto_renew=True, review_every_months=48, expires_at=at(100))
    state, emitted, _ = fold(_active(ag, yearly), until=at(250))
    assert state is not None
    assert state.status == ACTIVE
    assert state.expires_at == at(300)  # renewed twice, 100 days each
    assert state_at(state, at(1000)) == ACTIVE
    assert _escalations(emitted) == [
        ("AGREEMENT_EXPIRING", at(70)),
        ("AGREEMENT_EXPIRING", at(170)),
    ]
    renewals = [a.data.details.get("renewed_until") for a in of_type(emitted, "PartnerActivity")]
    assert renewals.count(iso_z(at(200))) == 2  # told to both parties


def test_renewal_moves_expiry_and_reschedules_the_warning() -> None:
    ag = Agreement()
    events = [*_active(ag, terms(review_every_months=48)), ag.renewed(at(200), at(700))]
    state, emitted, _ = fold(events, until=at(690))
    assert state is not None
    assert state.expires_at == at(700)
    assert _escalations(emitted) == [("AGREEMENT_EXPIRING", at(670))]
    assert state_at(state, at(500)) == ACTIVE


def test_renewal_must_move_the_expiry_later_and_needs_an_active_agreement() -> None:
    ag = Agreement()
    _, _, rejections = fold([*_active(ag), ag.renewed(at(2), at(100))])
    assert rejections == [
        "renewal to 2026-04-15T09:00:00Z must be later than now and than the expiry "
        "(2027-01-05T09:00:00Z)"
    ]
    _, _, rejections = fold([ag.proposed(T0), ag.renewed(at(2), at(900))])
    assert rejections == ["only an ACTIVE agreement is renewed; AG1 is PROPOSED"]


def test_termination_takes_effect_after_the_notice_period() -> None:
    ag = Agreement()
    events = [*_active(ag), ag.terminated(at(10), "rec", effective_at=at(12))]
    state, emitted, _ = fold(events)
    assert state is not None
    assert state.termination_effective_at == at(40)  # notice_days 30 beats effective_at
    assert state.terminated_by == "rec"
    assert state_at(state, at(39)) == ACTIVE
    assert state_at(state, at(40)) == TERMINATED
    cancelled = {c.data.rule for c in of_type(emitted, "DeadlineCancelled")}
    assert cancelled == {"AGREEMENT_REVIEW_DUE", "AGREEMENT_EXPIRING", "AGREEMENT_EXPIRES"}
    state, emitted, _ = fold(events, until=at(40))
    assert state is not None
    assert (state.status, state.clocks) == (TERMINATED, ())
    ended = [a.data.details["state"] for a in of_type(emitted, "PartnerActivity")][-2:]
    assert ended == ["TERMINATED", "TERMINATED"]


def test_termination_later_than_the_notice_keeps_its_date() -> None:
    ag = Agreement()
    state, _, _ = fold([*_active(ag), ag.terminated(at(10), effective_at=at(90))])
    assert state is not None
    assert state.termination_effective_at == at(90)


def test_termination_refusals() -> None:
    ag = Agreement()
    _, _, rejections = fold(
        [*_active(ag), ag.terminated(at(2), "stranger"), ag.terminated(at(3)), ag.terminated(at(4))]
    )
    assert rejections == [
        "stranger is not a party to agreement AG1",
        "agreement AG1 is already terminating, effective 2026-02-07T09:00:00Z",
    ]
    _, _, after = fold([*_active(ag), ag.terminated(at(2)), ag.signed(at(50), "gen")])
    assert after == ["agreement AG1 is TERMINATED: cannot sign"]


def test_proposal_can_be_withdrawn_without_notice_clock_errors() -> None:
    ag = Agreement()
    no_notice = terms(termination={"notice_days": 0})
    state, emitted, _ = fold([ag.proposed(T0, no_notice), ag.terminated(at(1))])
    assert state is not None
    assert (state.status, state_at(state, at(1))) == (TERMINATED, TERMINATED)
    assert of_type(emitted, "DeadlineScheduled") == []


def test_auto_renew_without_a_term_length_expires_at_a_renewed_date() -> None:
    ag = Agreement()
    open_ended = terms(auto_renew=True, expires_at=None, review_every_months=48)
    events = [*_active(ag, open_ended), ag.renewed(at(10), at(50))]
    state, _, _ = fold(events, until=at(51))
    assert state is not None
    assert state.status == EXPIRED
    assert state_at(state, at(51)) == EXPIRED  # the facts agree with the fold
