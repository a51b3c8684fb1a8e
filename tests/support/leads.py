"""Short builders of lead events for tests: ``Lead("L1").activity(at, "webinar")``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.lead.fold import LeadState, advance, evolve
from projections.policy import Policy
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadAssigned,
    LeadAssignedData,
    LeadCaptured,
    LeadCapturedData,
    LeadConverted,
    LeadConvertedData,
    LeadScoreAdjusted,
    LeadScoreAdjustedData,
    LeadStatusChanged,
    LeadStatusChangedData,
    Person,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


def at(hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(hours=hours, days=days)


@dataclass
class Lead:
    lead_id: str = "L1"
    counter: list[int] = field(default_factory=lambda: [0])

    def _id(self, kind: str) -> str:
        self.counter[0] += 1
        return f"{self.lead_id}-{kind}-{self.counter[0]}"

    def _env(self, kind: str, when: datetime, actor: str | None = None) -> dict[str, Any]:
        return {
            "event_id": self._id(kind),
            "subject": self.lead_id,
            "occurred_at": when,
            "source": "partner-a",
            "actor": actor,
        }

    def captured(self, when: datetime = T0, **data: Any) -> LeadCaptured:
        return LeadCaptured(
            **self._env("captured", when),
            data=LeadCapturedData(person=Person(email="p@example.com"), **data),
        )

    def activity(
        self, when: datetime, activity: str = "web_visit", points: int | None = None
    ) -> LeadActivity:
        return LeadActivity(
            **self._env("activity", when), data=LeadActivityData(activity=activity, points=points)
        )

    def adjusted(self, when: datetime, points: int) -> LeadScoreAdjusted:
        return LeadScoreAdjusted(
            **self._env("adjusted", when), data=LeadScoreAdjustedData(points=points, reason="test")
        )

    def assigned(self, when: datetime, owner: str) -> LeadAssigned:
        return LeadAssigned(
            **self._env("assigned", when, "routing"),
            data=LeadAssignedData(owner=owner, team="sales"),
        )

    def status(self, when: datetime, to: str, actor: str = "rep-1") -> LeadStatusChanged:
        return LeadStatusChanged(
            **self._env("status", when, actor), data=LeadStatusChangedData(to=to)
        )

    def converted(self, when: datetime, opportunity: str | None = None) -> LeadConverted:
        return LeadConverted(
            **self._env("converted", when),
            data=LeadConvertedData(contact_id="c1", account_id="a1", opportunity_id=opportunity),
        )


@dataclass
class Folded:
    state: LeadState | None
    emitted: list[Envelope]
    rejections: list[str]

    @property
    def lead(self) -> LeadState:
        assert self.state is not None
        return self.state

    def escalations(self) -> list[tuple[str, datetime]]:
        return [(e.data.rule, e.data.due_at) for e in self.emitted if e.type == "EscalationRaised"]  # type: ignore[attr-defined]


def fold(
    events: list[Envelope], policy: Policy | None = None, until: datetime | None = None
) -> Folded:
    policy = policy or Policy()
    state: LeadState | None = None
    emitted: list[Envelope] = []
    rejections: list[str] = []
    for event in events:
        outcome = evolve(state, event, policy)
        state = outcome.state
        emitted.extend(outcome.emitted)
        if outcome.rejection:
            rejections.append(outcome.rejection)
    if until is not None and state is not None:
        outcome = advance(state, until, policy)
        state = outcome.state
        emitted.extend(outcome.emitted)
    return Folded(state, emitted, rejections)
