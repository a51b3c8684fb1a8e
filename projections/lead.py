"""The lead aggregate as a pure fold: ``evolve(state, event, policy) -> Outcome``.

No Kafka, no Faust, no clock: the event's ``occurred_at`` is the only time. This first
slice folds capture and activity (scoring, RAW -> INQUIRY on the first response); the
status rules and SLA clocks of design/POLICY.md extend the handler table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from projections.policy import Policy
from schemas.envelope import Envelope
from schemas.lead_events import LeadActivity, LeadCaptured


@dataclass(frozen=True, slots=True)
class Change:
    at: datetime
    kind: str  # "status" | "score"
    before: str
    after: str
    cause: str  # the event id
    rule: str  # why, in words


@dataclass(frozen=True, slots=True)
class LeadState:
    lead_id: str
    status: str = "RAW"
    score: int = 0
    owner: str | None = None
    industry: str | None = None
    history: tuple[Change, ...] = ()
    seen: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Outcome:
    state: LeadState | None
    emitted: tuple[Envelope, ...] = ()
    rejection: str | None = None
    duplicate: bool = False


def on_captured(state: LeadState | None, event: LeadCaptured, policy: Policy) -> Outcome:
    if state is not None:
        return Outcome(state, rejection=f"lead {event.subject} was already captured")
    return Outcome(LeadState(lead_id=event.subject, industry=event.data.industry))


def on_activity(state: LeadState | None, event: LeadActivity, policy: Policy) -> Outcome:
    if state is None:
        return Outcome(None, rejection=f"LeadActivity for unknown lead {event.subject}")
    points = event.data.points
    if points is None:
        points = policy.activity_points.get(event.data.activity, policy.unknown_activity_points)
    changes = [
        Change(
            event.occurred_at,
            "score",
            str(state.score),
            str(state.score + points),
            event.event_id,
            f"{event.data.activity} {points:+d}",
        )
    ]
    status = state.status
    if status == "RAW":
        status = "INQUIRY"
        changes.append(
            Change(event.occurred_at, "status", "RAW", "INQUIRY", event.event_id, "first response")
        )
    new = replace(
        state, score=state.score + points, status=status, history=state.history + tuple(changes)
    )
    return Outcome(new)


Handler = Callable[[Any, Any, Policy], Outcome]
HANDLERS: dict[type[Envelope], Handler] = {LeadCaptured: on_captured, LeadActivity: on_activity}


def evolve(state: LeadState | None, event: Envelope, policy: Policy) -> Outcome:
    """Apply one event; a seen ``event_id`` is a no-op, a refused event changes nothing."""
    if state is not None and event.event_id in state.seen:
        return Outcome(state, duplicate=True)
    handler = HANDLERS.get(type(event))
    if handler is None:
        return Outcome(state, rejection=f"{event.type} is not handled by the lead fold yet")
    outcome = handler(state, event, policy)
    if outcome.rejection is not None or outcome.state is None:
        return Outcome(state, rejection=outcome.rejection or "no state")
    recorded = replace(outcome.state, seen=outcome.state.seen | {event.event_id})
    return replace(outcome, state=recorded)


def advance(state: LeadState, now: datetime, policy: Policy) -> Outcome:
    """Fire the clocks due at ``now``; this slice has no clocks yet."""
    return Outcome(state)


def to_view(state: LeadState) -> dict[str, Any]:
    return {
        "lead_id": state.lead_id,
        "status": state.status,
        "score": state.score,
        "owner": state.owner,
        "history": [
            {
                "at": c.at.isoformat().replace("+00:00", "Z"),
                "kind": c.kind,
                "from": c.before,
                "to": c.after,
                "cause": c.cause,
                "rule": c.rule,
            }
            for c in state.history
        ],
    }


def state_to_json(state: LeadState) -> bytes:
    body = {
        "lead_id": state.lead_id,
        "status": state.status,
        "score": state.score,
        "owner": state.owner,
        "industry": state.industry,
        "seen": sorted(state.seen),
        "history": [
            [c.at.isoformat(), c.kind, c.before, c.after, c.cause, c.rule] for c in state.history
        ],
    }
    return json.dumps(body, separators=(",", ":")).encode()


def state_from_json(raw: bytes) -> LeadState:
    body = json.loads(raw)
    history = tuple(
        Change(datetime.fromisoformat(at), kind, before, after, cause, rule)
        for at, kind, before, after, cause, rule in body["history"]
    )
    return LeadState(
        lead_id=body["lead_id"],
        status=body["status"],
        score=body["score"],
        owner=body["owner"],
        industry=body["industry"],
        history=history,
        seen=frozenset(body["seen"]),
    )
