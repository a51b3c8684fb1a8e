"""Disputes (element 7): steps from the agreement, overdue steps move on and alert."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.agreement.state import AgreementBook
from projections.dispute.fold import advance_dispute, evolve_dispute
from projections.dispute.state import (
    RESOLVED,
    DisputeState,
    dispute_from_json,
    dispute_to_json,
    dispute_view,
)
from projections.ids import derived_id
from projections.partner_view.body import to_view as partner_view
from projections.partner_view.fold import fold_activity
from schemas.agreement_events import Terms
from schemas.envelope import Envelope
from tests.support.agreements import POLICY, T0, Agreement, at, fold, of_type, terms

AG = Agreement()


def _book(the_terms: Terms | None = None, signed: bool = True) -> AgreementBook:
    events: list[Envelope] = [AG.proposed(T0, the_terms or terms())]
    if signed:
        events += AG.signed_by_all(at(1))
    state, _, _ = fold(events)
    assert state is not None
    return AgreementBook({"AG1": state})


def _run(
    events: Iterable[Envelope], book: AgreementBook, until: datetime | None = None
) -> tuple[Any, list[Envelope], list[str]]:
    """Fold the dispute events (then advance to ``until``): state, emitted, rejections."""
    state: DisputeState | None = None
    emitted: list[Envelope] = []
    rejections: list[str] = []
    for event in events:
        outcome = evolve_dispute(state, event, POLICY, book)
        state = outcome.state
        emitted += outcome.emitted
        rejections += [outcome.rejection] if outcome.rejection else []
    if until is not None and state is not None:
        outcome = advance_dispute(state, until, POLICY)
        state = outcome.state
        emitted += outcome.emitted
    return state, emitted, rejections


def test_opens_at_the_first_step_and_tells_every_party() -> None:
    state, emitted, rejections = _run([AG.dispute_opened(at(2), lead="L1")], _book())
    assert rejections == []
    assert (state.step, state.steps, state.status) == (
        "negotiation",
        ("negotiation", "mediation", "arbitration"),
        "OPEN",
    )
    opened = of_type(emitted, "PartnerActivity")
    assert [(a.subject, a.data.kind, a.data.dispute_id, a.data.lead_id) for a in opened] == [
        ("gen", "dispute_opened", "D1", "L1"),
        ("rec", "dispute_opened", "D1", "L1"),
    ]
    [scheduled] = of_type(emitted, "DeadlineScheduled")
    assert (scheduled.subject, scheduled.data.due_at) == ("D1", at(16))


def test_the_agreements_own_steps_are_used() -> None:
    two = terms(disputes={"steps": ["mediation", "arbitration"], "step_days": 3})
    state, _, _ = _run([AG.dispute_opened(at(2))], _book(two))
    assert (state.step, state.step_days) == ("mediation", 3)


def test_overdue_steps_move_on_and_the_last_alerts_and_stays() -> None:
    state, emitted, _ = _run([AG.dispute_opened(at(2))], _book(), until=at(100))
    escalations = of_type(emitted, "EscalationRaised")
    assert [(e.data.details["step"], e.data.due_at) for e in escalations] == [
        ("negotiation", at(16)),
        ("mediation", at(30)),
        ("arbitration", at(44)),
    ]
    assert {e.data.rule for e in escalations} == {"DISPUTE_STEP_OVERDUE"}
    assert escalations[0].data.notify == ["gen", "rec"]
    clock_id = "DISPUTE_STEP_OVERDUE:D1:negotiation"
    assert escalations[0].data.escalation_id == derived_id("D1", clock_id, at(16).isoformat())
    assert (state.step, state.clocks) == ("arbitration", ())


def test_escalated_by_hand_to_the_next_or_a_named_step() -> None:
    book = _book()
    state, _, _ = _run([AG.dispute_opened(at(2)), AG.dispute_escalated(at(3))], book)
    assert (state.step, state.clocks[0].due_at) == ("mediation", at(17))
    state, _, rejections = _run(
        [
            AG.dispute_opened(at(2)),
            AG.dispute_escalated(at(3), step="arbitration"),
            AG.dispute_escalated(at(4), step="mediation"),
            AG.dispute_escalated(at(5)),
        ],
        book,
    )
    assert state.step == "arbitration"
    assert rejections == [
        "step mediation is not a later step than arbitration of "
        "['negotiation', 'mediation', 'arbitration']",
        "dispute D1 is already at its last step arbitration",
    ]


def test_resolved_closes_with_its_outcome_and_refuses_more() -> None:
    events = [AG.dispute_opened(at(2)), AG.dispute_resolved(at(5), outcome="credit note")]
    state, emitted, _ = _run([*events, AG.dispute_escalated(at(6))], _book(), until=at(100))
    assert (state.status, state.outcome, state.resolved_at, state.clocks) == (
        RESOLVED,
        "credit note",
        at(5),
        (),
    )
    assert of_type(emitted, "EscalationRaised") == []
    resolved = [a for a in of_type(emitted, "PartnerActivity") if a.data.kind == "dispute_resolved"]
    assert [a.subject for a in resolved] == ["gen", "rec"]
    view = dispute_view(state)
    assert (view["status"], view["outcome"]) == ("RESOLVED", "credit note")


def test_refusals_name_the_reason() -> None:
    book = _book()
    _, _, rejections = _run([Agreement("NOPE").dispute_opened(at(2))], book)
    assert rejections == ["dispute on unknown agreement NOPE"]
    _, _, rejections = _run([AG.dispute_opened(at(2))], _book(signed=False))
    assert rejections == ["agreement AG1 was never in force: no dispute process was agreed"]
    _, _, rejections = _run([AG.dispute_resolved(at(2))], book)
    assert rejections == ["DisputeResolved for unknown dispute D1"]
    _, _, rejections = _run(
        [AG.dispute_opened(at(2)), AG.dispute_resolved(at(3), outcome="")], book
    )
    assert rejections == ["a resolution needs an outcome"]


def test_json_round_trip_and_duplicates() -> None:
    opened = AG.dispute_opened(at(2))
    state, _, _ = _run([opened, AG.dispute_escalated(at(3))], _book(), until=at(20))
    assert dispute_from_json(dispute_to_json(state)) == state
    again = evolve_dispute(state, opened, POLICY, _book())
    assert again.duplicate
    assert again.state == state


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["escalate", "mediation", "resolve"]), st.integers(3, 60)),
        max_size=6,
    ),
    st.integers(0, 6),
)
def test_redelivery_and_halves_through_json_change_nothing(
    steps: list[tuple[str, int]], cut: int
) -> None:
    book = _book()
    makers: dict[str, Callable[[datetime], Envelope]] = {
        "escalate": AG.dispute_escalated,
        "mediation": lambda when: AG.dispute_escalated(when, step="mediation"),
        "resolve": AG.dispute_resolved,
    }
    days = sorted(day for _, day in steps)
    events: list[Envelope] = [AG.dispute_opened(at(2))]
    events += [makers[kind](at(day)) for (kind, _), day in zip(steps, days, strict=True)]
    whole, emitted, _ = _run(events, book)
    twice, emitted_twice, _ = _run([e for event in events for e in (event, event)], book)
    assert twice == whole
    assert [e.event_id for e in emitted_twice] == [e.event_id for e in emitted]
    cut = min(cut, len(events) - 1) + 1
    first, _, _ = _run(events[:cut], book)
    state = dispute_from_json(dispute_to_json(first))
    for event in events[cut:]:
        outcome = evolve_dispute(state, event, POLICY, book)
        assert outcome.state is not None
        state = outcome.state
    assert state == whole


def test_a_resolved_dispute_leaves_each_partys_open_disputes() -> None:
    events = [AG.dispute_opened(at(2)), AG.dispute_resolved(at(5), outcome="credit note")]
    _, emitted, _ = _run(events, _book())
    activities = of_type(emitted, "PartnerActivity")
    for partner in ("gen", "rec"):
        view = None
        for activity in (a for a in activities if a.subject == partner):
            view = fold_activity(view, activity)
        assert view is not None
        body = partner_view(view)
        assert body["open_disputes"] == []
        (line,) = body["disputes"]
        assert (line["status"], line["outcome"]) == ("RESOLVED", "credit note")
