"""The dispute aggregate's state, its JSON form (the Faust table's) and its view.

The agreement's dispute terms and parties are copied in when the dispute opens, so a
later amendment does not change the process of a dispute already running.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from projections.history import Change, Clock, Escalation, iso_z

OPEN, RESOLVED = "OPEN", "RESOLVED"


@dataclass(frozen=True, slots=True)
class DisputeState:
    dispute_id: str
    agreement_id: str
    lead_id: str | None
    kind: str
    claim: str
    opened_by: str
    opened_at: datetime
    parties: tuple[str, ...]
    steps: tuple[str, ...]
    step_days: int
    step: str
    step_started_at: datetime
    status: str = OPEN
    outcome: str | None = None
    resolved_at: datetime | None = None
    clocks: tuple[Clock, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    history: tuple[Change, ...] = ()
    seen: frozenset[str] = field(default_factory=frozenset)
    # event id -> content digest of what was applied (projections/idempotency.py)
    digests: Mapping[str, str] = field(default_factory=dict, hash=False)  # a dict: unhashable


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def dispute_to_json(state: DisputeState) -> bytes:
    body = asdict(state)  # plain fields; the time and tuple fields are re-encoded below
    body.update(
        opened_at=state.opened_at.isoformat(),
        step_started_at=state.step_started_at.isoformat(),
        resolved_at=_time(state.resolved_at),
        clocks=[
            [c.rule, c.clock_id, c.started_at.isoformat(), c.due_at.isoformat(), c.policy_version]
            for c in state.clocks
        ],
        escalations=[
            [e.escalation_id, e.rule, e.clock_id, e.due_at.isoformat()] for e in state.escalations
        ],
        history=[
            [c.at.isoformat(), c.kind, c.before, c.after, c.cause, c.rule] for c in state.history
        ],
        seen=sorted(state.seen),
        digests=dict(state.digests),
    )
    return json.dumps(body, separators=(",", ":")).encode()


def dispute_from_json(raw: bytes) -> DisputeState:
    body = json.loads(raw)
    resolved = body.pop("resolved_at")
    return DisputeState(
        **{
            **body,
            "opened_at": datetime.fromisoformat(body["opened_at"]),
            "step_started_at": datetime.fromisoformat(body["step_started_at"]),
            "resolved_at": datetime.fromisoformat(resolved) if resolved else None,
            "parties": tuple(body["parties"]),
            "steps": tuple(body["steps"]),
            "clocks": tuple(
                Clock(r, i, datetime.fromisoformat(s), datetime.fromisoformat(d), v)
                for r, i, s, d, v in body["clocks"]
            ),
            "escalations": tuple(
                Escalation(i, r, c, datetime.fromisoformat(d)) for i, r, c, d in body["escalations"]
            ),
            "history": tuple(
                Change(datetime.fromisoformat(a), k, b, f, c, r)
                for a, k, b, f, c, r in body["history"]
            ),
            "seen": frozenset(body["seen"]),
        }
    )


def dispute_view(state: DisputeState) -> dict[str, Any]:
    """The JSON answer of ``GET /disputes/{id}`` (and of replay)."""
    return {
        "dispute_id": state.dispute_id,
        "agreement_id": state.agreement_id,
        "lead_id": state.lead_id,
        "kind": state.kind,
        "claim": state.claim,
        "opened_by": state.opened_by,
        "opened_at": iso_z(state.opened_at),
        "parties": list(state.parties),
        "status": state.status,
        "step": state.step,
        "steps": list(state.steps),
        "step_started_at": iso_z(state.step_started_at),
        "outcome": state.outcome,
        "resolved_at": iso_z(state.resolved_at) if state.resolved_at else None,
        "open_clocks": [
            {"rule": c.rule, "clock_id": c.clock_id, "due_at": iso_z(c.due_at)}
            for c in state.clocks
        ],
        "escalations": [
            {"rule": e.rule, "due_at": iso_z(e.due_at), "escalation_id": e.escalation_id}
            for e in state.escalations
        ],
        "history": [
            {"at": iso_z(c.at), "kind": c.kind, "from": c.before, "to": c.after, "cause": c.cause}
            for c in state.history
        ],
    }
