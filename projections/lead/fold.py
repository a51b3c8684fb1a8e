"""The lead aggregate as a pure fold: ``evolve(state, event, policy) -> Outcome``.

No Kafka, no Faust, no clock: an event's ``occurred_at`` is the only time. Before an
event is applied, every clock due at or before its time fires (``advance``), so a
replay raises what the live timer raised. The rules, each with its source in the
seed, are listed in ``projections/RULES.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.agreement.state import EMPTY_BOOK, AgreementLookup
from projections.idempotency import remembered, reuse_problem
from projections.lead import commission
from projections.lead.clocks import advance
from projections.lead.privacy import obligations, retention
from projections.lead.privacy.consent import on_consent_given, on_consent_withdrawn
from projections.lead.privacy.erasure import on_erasure_requested
from projections.lead.rules import DISQUALIFYING, SALES_DECISIONS, decision_problem
from projections.lead.scope import require_scope
from projections.lead.sharing import fold as sharing
from projections.lead.sharing import pipeline
from projections.lead.sharing import release as sharing_release
from projections.lead.state import (
    LeadState,
    state_from_json,
    state_to_json,
    to_view,
    with_changes,
)
from projections.lead.step import Outcome, Step
from projections.outcome import Refused
from projections.personal import profile_of
from projections.policy import Policy
from schemas.agreement_events import CommissionPaid, LeadShared, PartnerResponded
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadActivity,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadScoreAdjusted,
    LeadStatusChanged,
    OpportunityClosed,
    SealedPerson,
)
from schemas.partner_system_events import SharedLeadReleased
from schemas.privacy_events import (
    ConsentGiven,
    ConsentWithdrawn,
    ErasureConfirmed,
    ErasureRequested,
)

__all__ = [
    "LeadState",
    "Outcome",
    "advance",
    "evolve",
    "state_from_json",
    "state_to_json",
    "to_view",
]


def enter_status(step: Step, status: str, rule: str) -> None:
    """Set the status and start or stop the clocks that status implies."""
    before = step.state.status
    step.set_status(status, rule)
    if before in {"MAQL", "BDM_CONNECTED"} and status not in {"MAQL", "BDM_CONNECTED"}:
        step.stop_clock("MAQL_NOT_ACTIONED", f"lead left {before} for {status}")
    if before == "MQL":
        step.stop_clock("MQL_NOT_ASSIGNED", f"lead left MQL for {status}")
        step.stop_clock("MQL_NOT_ACCEPTED", f"lead left MQL for {status}")
        if step.state.decided_at is None and status in SALES_DECISIONS:
            step.state = with_changes(step.state, decided_at=step.at)
    if before in {"SAL", "SQL"} and status not in {"SAL", "SQL"}:
        step.stop_clock("SAL_NOT_CONVERTED", f"lead left {before} for {status}")
    if status == "MAQL":
        step.start_clock("MAQL_NOT_ACTIONED")
    elif status == "MQL":
        enter_mql(step)
    elif status == "SAL":
        step.start_clock("SAL_NOT_CONVERTED")


def enter_mql(step: Step) -> None:
    step.state = with_changes(step.state, mql_at=step.at, decided_at=None)
    step.notify("mql_to_sales", ["marketing"], {"owner": step.state.owner or "unassigned"})
    # Unassigned: routing has an hour. Already owned (back from Re-market): that rep
    # has 48 hours again.
    step.start_clock("MQL_NOT_ASSIGNED" if step.state.owner is None else "MQL_NOT_ACCEPTED")


def apply_thresholds(step: Step) -> None:
    """The automatic status changes a score can cause."""
    state, policy = step.state, step.policy
    team = policy.lead_qual_team
    if state.status == "INQUIRY" and team.enabled and state.score >= team.maql_threshold:
        enter_status(step, "MAQL", f"score {state.score} >= MAQL threshold {team.maql_threshold}")
    elif (
        state.status in {"INQUIRY", "REMARKET"}
        and not (team.enabled and state.status == "INQUIRY")
        and state.score >= policy.mql_threshold
    ):
        enter_status(step, "MQL", f"score {state.score} >= MQL threshold {policy.mql_threshold}")


def on_captured(step: Step, event: LeadCaptured) -> None:
    raise Refused(f"lead {event.subject} was already captured")


def on_activity(step: Step, event: LeadActivity) -> None:
    policy, activity = step.policy, event.data.activity
    points = event.data.points
    if points is None:
        points = policy.activity_points.get(activity, policy.unknown_activity_points)
    if step.state.status in DISQUALIFYING:
        if activity not in policy.reactivating_activities:
            return  # score stays 0: "permanently set to zero", no marketing
        step.set_owner(None, f"{activity} reactivates a {step.state.status} lead")
        enter_status(step, "INQUIRY", f"{activity} form reactivates the lead")
        step.set_score(points, f"{activity} {points:+d}, scoring from 0")
    else:
        step.set_score(step.state.score + points, f"{activity} {points:+d}")
        if step.state.status == "RAW":
            enter_status(step, "INQUIRY", "first response")
    apply_thresholds(step)


def on_score_adjusted(step: Step, event: LeadScoreAdjusted) -> None:
    if step.state.status in DISQUALIFYING:
        return
    step.set_score(
        step.state.score + event.data.points,
        f"adjusted {event.data.points:+d}: {event.data.reason}",
    )
    apply_thresholds(step)


def on_assigned(step: Step, event: LeadAssigned) -> None:
    step.set_owner(event.data.owner, f"assigned by {event.actor or event.source}")
    step.state = with_changes(step.state, team=event.data.team or step.state.team)
    if step.state.status == "MQL":
        step.stop_clock("MQL_NOT_ASSIGNED", "assigned")
        step.start_clock("MQL_NOT_ACCEPTED")


def on_status_changed(step: Step, event: LeadStatusChanged) -> None:
    to = event.data.to
    problem = decision_problem(step.state.status, to, step.policy.lead_qual_team.enabled)
    if problem:
        raise Refused(problem)
    why = f"{to} by {event.actor or event.source}" + (
        f": {event.data.reason}" if event.data.reason else ""
    )
    enter_status(step, to, why)
    if to in DISQUALIFYING:
        step.set_score(0, f"{to}: score set to 0")
    elif to == "REMARKET":
        deduction = step.policy.remarket_deduction
        step.set_score(max(0, step.state.score - deduction), f"REMARKET -{deduction}")


def on_converted(step: Step, event: LeadConverted) -> None:
    if step.state.status != "SQL":
        raise Refused(f"illegal transition {step.state.status} -> CONVERTED (only an SQL converts)")
    status = "OPPORTUNITY" if event.data.opportunity_id else "CONVERTED"
    enter_status(step, status, f"converted to contact {event.data.contact_id}")


def on_opportunity_closed(step: Step, event: OpportunityClosed) -> None:
    if step.state.status != "OPPORTUNITY":
        raise Refused(f"no open opportunity on a lead in {step.state.status}")
    outcome = "won" if event.data.won else "lost"
    step.log(
        "opportunity",
        event.data.opportunity_id,
        outcome,
        f"closed {outcome} {event.data.amount} {event.data.currency}",
    )


Handler = Callable[[Step, Any], None]


def then(first: Handler, second: Handler) -> Handler:
    """The lifecycle rule, then the partner rule the same event triggers."""

    def both(step: Step, event: Any) -> None:
        first(step, event)
        second(step, event)

    return both


def by_publisher(funnel: Handler, receiver: Handler) -> Handler:
    """The own organisation's SLA funnel for its own systems (and operators), the
    receiver's pipeline for an external partner: ``source_kind`` is stamped by
    admission from the authenticated publisher and kept on the record log, so a replay
    takes the track the live fold took."""

    def route(step: Step, event: Any) -> None:
        (receiver if event.source_kind == "external" else funnel)(step, event)

    return route


HANDLERS: dict[type[Envelope], Handler] = {
    LeadCaptured: on_captured,
    LeadActivity: on_activity,
    LeadScoreAdjusted: on_score_adjusted,
    LeadAssigned: on_assigned,
    LeadStatusChanged: on_status_changed,
    LeadConverted: by_publisher(
        then(on_converted, commission.on_converted), pipeline.on_receiver_converted
    ),
    OpportunityClosed: by_publisher(
        then(on_opportunity_closed, commission.on_opportunity_closed), pipeline.on_receiver_closed
    ),
    ConsentGiven: on_consent_given,
    ConsentWithdrawn: on_consent_withdrawn,
    LeadShared: sharing.on_lead_shared,
    PartnerResponded: then(sharing.on_partner_responded, retention.on_share_accepted),
    CommissionPaid: commission.on_commission_paid,
    SharedLeadReleased: sharing_release.on_shared_lead_released,
    ErasureConfirmed: obligations.on_erasure_confirmed,
    ErasureRequested: on_erasure_requested,
}


def _capture(event: LeadCaptured) -> LeadState:
    data = event.data
    state = LeadState(
        lead_id=event.subject,
        industry=data.industry,
        budget=data.budget,
        readiness=data.readiness,
        captured_by=event.source,
    )
    profile = data.profile if isinstance(data.person, SealedPerson) else profile_of(data.person)
    if profile is not None:  # a sealed person without a profile keeps its facts sealed
        state = with_changes(
            state,
            job_title=profile.job_title,
            region=profile.region,
            country=profile.country,
            person_fields=tuple(profile.fields),
        )
    return state


def evolve(
    state: LeadState | None,
    event: Envelope,
    policy: Policy,
    agreements: AgreementLookup = EMPTY_BOOK,
    *,
    outputs: bool = True,
) -> Outcome:
    """Apply one event; a seen ``event_id`` is a no-op, a refused event changes nothing
    (except a refused share, which is recorded: ``rejection`` is then set as well).

    ``agreements`` is every agreement known, for share admission (exclusivity spans
    agreements). Without ``outputs`` the output-only events (deadlines, notifications)
    are not built: replay's fold, which drops them (``Step.outputs``)."""
    if state is None:
        if isinstance(event, LeadCaptured):
            first = with_changes(
                _capture(event),
                seen=frozenset({event.event_id}),
                digests=remembered({}, event),
            )
            return Outcome(first)
        return Outcome(None, rejection=f"{event.type} for unknown lead {event.subject}")
    if event.event_id in state.seen:
        return _again(state, event)
    handler = HANDLERS.get(type(event))
    if handler is None:
        return Outcome(state, rejection=f"{event.type} is not a lead lifecycle event")
    overdue = advance(state, event.occurred_at, policy, outputs=outputs)
    assert overdue.state is not None  # advance never forgets a lead
    step = Step(
        overdue.state,
        policy,
        event.occurred_at,
        event.event_id,
        agreements=agreements,
        outputs=outputs,
    )
    try:
        require_scope(overdue.state, event)
        handler(step, event)
    except Refused as refusal:
        # The clocks that ran out before this event still ran out: keep them. The id is
        # recorded, so a redelivery is a duplicate, not a second chance to apply.
        refused = _seen(overdue.state, event)
        return Outcome(refused, overdue.emitted, rejection=str(refusal))
    final = _seen(step.state, event)
    return Outcome(final, (*overdue.emitted, *step.emitted), rejection=step.refusal)


def _seen(state: LeadState, event: Envelope) -> LeadState:
    """``state`` remembering ``event``'s id and the digest of its content."""
    return with_changes(
        state, seen=state.seen | {event.event_id}, digests=remembered(state.digests, event)
    )


def _again(state: LeadState, event: Envelope) -> Outcome:
    """An id the lead has seen: a duplicate, or a reuse with other content (refused,
    the state unchanged; projections/idempotency.py).

    Once the lead is erased, its key is shredded: a capture that comes again is sealed
    under a new key, so its person cannot be compared; it stays a duplicate.
    """
    if isinstance(event, LeadCaptured) and state.erasure is not None:
        return Outcome(state, duplicate=True)
    if problem := reuse_problem(event, state.digests):
        return Outcome(state, rejection=problem)
    return Outcome(state, duplicate=True)
