"""Fold an event log on event time up to ``as_of``: the auditors' answer.

The log is applied in log order (file order, or Kafka's per-partition order); events
that happened after ``as_of`` are left out, and every lead is then advanced to
``as_of`` so clocks that ran out by then are raised. A log whose times go backwards is
still applied in log order; ``advance`` never moves a lead's time back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from projections.lead import LeadState, advance, evolve
from projections.lead_state import iso_z
from projections.policy import Policy
from schemas.envelope import Envelope
from schemas.events import LEAD_EVENT_CLASSES
from schemas.system_events import EscalationRaised


@dataclass
class ReplayResult:
    leads: dict[str, LeadState] = field(default_factory=dict)
    escalations: list[EscalationRaised] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)

    def escalation_rows(self) -> list[dict[str, object]]:
        """The ``replay --escalations`` answer: sorted by due_at, then subject."""
        rows = sorted(self.escalations, key=lambda e: (e.data.due_at, e.subject))
        return [
            {
                "rule": e.data.rule,
                "subject": e.subject,
                "due_at": iso_z(e.data.due_at),
                "escalation_id": e.data.escalation_id,
                "notify": e.data.notify,
                "action": e.data.action,
                "details": e.data.details,
            }
            for e in rows
        ]


def replay_leads(events: Iterable[Envelope], as_of: datetime, policy: Policy) -> ReplayResult:
    result = ReplayResult()
    for event in events:
        if event.occurred_at > as_of or not isinstance(event, LEAD_EVENT_CLASSES):
            continue
        outcome = evolve(result.leads.get(event.subject), event, policy)
        _collect(result, event.subject, outcome.state, outcome.emitted)
        if outcome.rejection:
            result.rejections.append((event.event_id, outcome.rejection))
    for lead_id, state in list(result.leads.items()):
        outcome = advance(state, as_of, policy)
        _collect(result, lead_id, outcome.state, outcome.emitted)
    return result


def _collect(
    result: ReplayResult, subject: str, state: LeadState | None, emitted: Iterable[object]
) -> None:
    if state is not None:
        result.leads[subject] = state
    result.escalations.extend(e for e in emitted if isinstance(e, EscalationRaised))


def weekly_mql_follow_up(leads: Iterable[LeadState]) -> list[dict[str, object]]:
    """Average hours from MQL to the first sales decision, by the ISO week of the MQL."""
    weeks: dict[str, list[float]] = {}
    for lead in leads:
        if lead.mql_at is None or lead.decided_at is None:
            continue
        year, week, _ = lead.mql_at.isocalendar()
        hours = (lead.decided_at - lead.mql_at).total_seconds() / 3600
        weeks.setdefault(f"{year}-W{week:02d}", []).append(hours)
    return [
        {"week": week, "average_hours": round(mean(hours), 2), "count": len(hours)}
        for week, hours in sorted(weeks.items())
    ]
