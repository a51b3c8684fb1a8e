"""The dispute aggregate as a pure fold (design rule 7, seed element 7).

A dispute runs through its agreement's steps (negotiation, mediation, arbitration):
``DisputeOpened`` starts at the first, ``DisputeEscalated`` moves it by hand, and
``DISPUTE_STEP_OVERDUE`` after ``step_days`` moves it to the next step and alerts every
party (at the last step it alerts and stays). ``DisputeResolved`` closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from projections.agreement.state import PROPOSED, AgreementLookup, party_ids, state_at, terms_at
from projections.dispute.state import OPEN, RESOLVED, DisputeState
from projections.dispute.step import DisputeOutcome, DisputeStep
from projections.history import Change, iso_z
from projections.idempotency import remembered, reuse_problem
from projections.outcome import Refused
from projections.policy import Policy
from schemas.agreement_events import DisputeEscalated, DisputeOpened, DisputeResolved
from schemas.envelope import Envelope

__all__ = ["DisputeOutcome", "DisputeState", "advance_dispute", "evolve_dispute"]


def _open(event: DisputeOpened, policy: Policy, agreements: AgreementLookup) -> DisputeOutcome:
    data = event.data
    agreement = agreements.get(data.agreement_id)
    if agreement is None:
        return DisputeOutcome(None, rejection=f"dispute on unknown agreement {data.agreement_id}")
    if event.source_kind == "external" and event.source not in party_ids(agreement):
        return DisputeOutcome(
            None,
            rejection=f"DisputeOpened from external partner {event.source}, "
            f"which is not a party to agreement {data.agreement_id}",
        )
    if state_at(agreement, event.occurred_at) == PROPOSED:
        return DisputeOutcome(
            None,
            rejection=f"agreement {data.agreement_id} was never in force: "
            "no dispute process was agreed",
        )
    _, terms = terms_at(agreement, event.occurred_at)
    state = DisputeState(
        dispute_id=event.subject,
        agreement_id=data.agreement_id,
        lead_id=data.lead_id,
        kind=data.kind,
        claim=data.claim,
        opened_by=event.actor or event.source,
        opened_at=event.occurred_at,
        parties=tuple(party_ids(agreement)),
        steps=tuple(terms.disputes.steps),
        step_days=terms.disputes.step_days,
        step=terms.disputes.steps[0],
        step_started_at=event.occurred_at,
        seen=frozenset({event.event_id}),
        digests=remembered({}, event),
    )
    step = DisputeStep(state, policy, event.occurred_at, event.event_id)
    step.move_to(state.steps[0], f"opened: {data.claim}")
    step.tell_parties("dispute_opened", {"claim": data.claim, "kind": data.kind})
    return DisputeOutcome(step.state, tuple(step.emitted))


def on_opened(step: DisputeStep, event: DisputeOpened) -> None:
    raise Refused(f"dispute {event.subject} was already opened")


def on_escalated(step: DisputeStep, event: DisputeEscalated) -> None:
    state = step.state
    index = state.steps.index(state.step)
    wanted = event.data.step
    if wanted is None:
        if index + 1 >= len(state.steps):
            raise Refused(f"dispute {state.dispute_id} is already at its last step {state.step}")
        wanted = state.steps[index + 1]
    elif wanted not in state.steps or state.steps.index(wanted) <= index:
        raise Refused(f"step {wanted} is not a later step than {state.step} of {list(state.steps)}")
    step.move_to(wanted, f"escalated by {event.actor or event.source}")
    step.tell_parties("dispute_step", {"moved_by": "hand"})


def on_resolved(step: DisputeStep, event: DisputeResolved) -> None:
    outcome = event.data.outcome
    if not outcome:
        raise Refused("a resolution needs an outcome")
    step.stop_clock("resolved")
    change = Change(step.at, "status", OPEN, RESOLVED, step.cause, outcome)
    step.state = replace(
        step.state,
        status=RESOLVED,
        outcome=outcome,
        resolved_at=step.at,
        history=(*step.state.history, change),
    )
    step.tell_parties("dispute_resolved", {"outcome": outcome})


def _still_open(step: DisputeStep) -> None:
    if step.state.status == RESOLVED:
        raise Refused(f"dispute {step.state.dispute_id} is resolved: {step.state.outcome}")


HANDLERS: dict[type[Envelope], Callable[[DisputeStep, Any], None]] = {
    DisputeOpened: on_opened,
    DisputeEscalated: on_escalated,
    DisputeResolved: on_resolved,
}


def _party_only(step: DisputeStep, event: Envelope) -> None:
    """An external partner (admission's ``source_kind``) acts only on its disputes."""
    if event.source_kind == "external" and event.source not in step.state.parties:
        raise Refused(
            f"{event.type} from external partner {event.source}, "
            f"which is not a party to dispute {step.state.dispute_id}"
        )


def evolve_dispute(
    state: DisputeState | None, event: Envelope, policy: Policy, agreements: AgreementLookup
) -> DisputeOutcome:
    """Apply one dispute event; ``agreements`` gives the terms a new dispute runs by."""
    if state is None:
        if isinstance(event, DisputeOpened):
            return _open(event, policy, agreements)
        return DisputeOutcome(None, rejection=f"{event.type} for unknown dispute {event.subject}")
    if event.event_id in state.seen:
        # The same content again is a duplicate; other content under the id is refused.
        problem = reuse_problem(event, state.digests)
        return DisputeOutcome(state, rejection=problem, duplicate=problem is None)
    handler = HANDLERS.get(type(event))
    if handler is None:
        return DisputeOutcome(state, rejection=f"{event.type} is not a dispute event")
    overdue = advance_dispute(state, event.occurred_at, policy)
    assert overdue.state is not None
    step = DisputeStep(overdue.state, policy, event.occurred_at, event.event_id)
    try:
        _still_open(step)
        _party_only(step, event)
        handler(step, event)
    except Refused as refusal:
        refused = _seen(overdue.state, event)
        return DisputeOutcome(refused, overdue.emitted, rejection=str(refusal))
    final = _seen(step.state, event)
    return DisputeOutcome(final, (*overdue.emitted, *step.emitted))


def advance_dispute(state: DisputeState, now: datetime, policy: Policy) -> DisputeOutcome:
    """Each overdue step alerts and moves on; the last step alerts and stays."""
    emitted: list[Envelope] = []
    while due := sorted((c for c in state.clocks if c.due_at <= now), key=lambda c: c.due_at):
        clock = due[0]
        step = DisputeStep(state, policy, clock.due_at, clock.clock_id)
        step.escalate(clock)
        index = state.steps.index(state.step)
        if index + 1 < len(state.steps):
            step.move_to(
                state.steps[index + 1], f"{state.step} overdue after {state.step_days} days"
            )
        step.tell_parties("dispute_step", {"overdue": iso_z(clock.due_at)})
        state = step.state
        emitted.extend(step.emitted)
    return DisputeOutcome(state, tuple(emitted))


def _seen(state: DisputeState, event: Envelope) -> DisputeState:
    """``state`` remembering ``event``'s id and the digest of its content."""
    return replace(
        state, seen=state.seen | {event.event_id}, digests=remembered(state.digests, event)
    )
