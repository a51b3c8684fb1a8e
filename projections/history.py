"""What every aggregate keeps of its past: changes with their causes, running clocks,
raised escalations, and the one way a time is written in a view.

The lead, agreement and dispute folds share these records, so they live in the kernel
and no aggregate imports another's state for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def iso_z(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Change:
    """One score, status or owner change and its cause: the answer to "why"."""

    at: datetime
    kind: str  # "status" | "score" | "owner"
    before: str | None
    after: str | None
    cause: str  # the event id (or the clock id for a change a clock made)
    rule: str  # the rule, in words


@dataclass(frozen=True, slots=True)
class Clock:
    rule: str
    clock_id: str
    started_at: datetime
    due_at: datetime
    policy_version: str


@dataclass(frozen=True, slots=True)
class Escalation:
    escalation_id: str
    rule: str
    clock_id: str
    due_at: datetime


def change_view(change: Change) -> dict[str, Any]:
    """One history line as the views and replay show it."""
    return {
        "at": iso_z(change.at),
        "kind": change.kind,
        "from": change.before,
        "to": change.after,
        "cause": change.cause,
        "rule": change.rule,
    }
