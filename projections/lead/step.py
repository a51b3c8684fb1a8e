"""A small builder that handlers use to change a lead and collect what it emits.

It lives only for one event, so the fold stays pure: every change returns a new frozen
state, and the emitted events are returned with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from projections.agreement.state import EMPTY_BOOK, AgreementLookup
from projections.calendar import add_business_days
from projections.history import Change, Clock, Escalation
from projections.ids import derived_id
from projections.lead.state import LeadState, with_changes
from projections.outcome import Outcome as GenericOutcome
from projections.policy import LeadRule, Policy
from schemas.envelope import Envelope
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineCancelledData,
    DeadlineScheduled,
    DeadlineScheduledData,
    EscalationRaised,
    EscalationRaisedData,
    NotificationRaised,
    NotificationRaisedData,
)

SYSTEM = "leadledger"


class Outcome(GenericOutcome[LeadState]):
    """A lead fold's outcome (a subclass, so making one is a plain class call)."""


@dataclass
class Step:
    state: LeadState
    policy: Policy
    at: datetime
    cause: str
    emitted: list[Envelope] = field(default_factory=list)
    agreements: AgreementLookup = EMPTY_BOOK  # every agreement, for share admission
    refusal: str | None = None  # set when the event is refused but still recorded
    outputs: bool = True
    """Build the output-only events (deadlines scheduled and cancelled, notifications).
    Replay folds without them: it drops them unread (``projections/replay.py``)."""

    def log(
        self, kind: str, before: str | None, after: str | None, rule: str, **changes: Any
    ) -> None:
        """Record a change in the history, together with the fields it changes: one
        copy of the state, not two (the fold's main cost is copying the state)."""
        change = Change(self.at, kind, before, after, self.cause, rule)
        self.state = with_changes(self.state, history=(*self.state.history, change), **changes)

    def set_score(self, score: int, rule: str) -> None:
        if score != self.state.score:
            self.log("score", str(self.state.score), str(score), rule, score=score)

    def set_owner(self, owner: str | None, rule: str) -> None:
        if owner != self.state.owner:
            self.log("owner", self.state.owner, owner, rule, owner=owner)

    def set_status(self, status: str, rule: str) -> None:
        self.log("status", self.state.status, status, rule, status=status)

    def due_at(self, rule: LeadRule, start: datetime) -> datetime:
        clock = self.policy.clock(rule)
        if clock.unit == "hours":
            return start + timedelta(hours=clock.amount)
        return add_business_days(start, clock.amount, self.policy.calendar)

    def start_clock(
        self,
        rule: str,
        *,
        key: str | None = None,
        due_at: datetime | None = None,
        version: str | None = None,
    ) -> None:
        """Start a clock. A lead rule runs once per lead (its id names the cause); a
        keyed clock (one per share, commission or obligation) gets ``rule:key`` and
        brings its own due time and the terms version it runs under."""
        self.stop_clock(rule, "restarted", key=key)
        clock = Clock(
            rule,
            f"{rule}:{key}" if key else f"{rule}:{self.cause}",
            self.at,
            due_at if due_at is not None else self.due_at(cast(LeadRule, rule), self.at),
            version or self.policy.version,
        )
        self.state = with_changes(self.state, clocks=(*self.state.clocks, clock))
        if not self.outputs:
            return
        self._emit_system(
            DeadlineScheduled,
            DeadlineScheduledData(
                clock_id=clock.clock_id,
                rule=rule,
                started_at=clock.started_at,
                due_at=clock.due_at,
                policy_version=clock.policy_version,
            ),
            derived_id(self.state.lead_id, clock.clock_id, "scheduled"),
        )

    def stop_clock(self, rule: str, reason: str, key: str | None = None) -> None:
        """Stop the rule's clock (with a key: only that one of the rule's clocks)."""
        for clock in self.state.clocks:
            if clock.rule == rule and (key is None or clock.clock_id == f"{rule}:{key}"):
                self.state = with_changes(
                    self.state, clocks=tuple(c for c in self.state.clocks if c is not clock)
                )
                if not self.outputs:
                    continue
                self._emit_system(
                    DeadlineCancelled,
                    DeadlineCancelledData(
                        clock_id=clock.clock_id,
                        rule=rule,
                        reason=reason,
                    ),
                    derived_id(self.state.lead_id, clock.clock_id, "cancelled"),
                )

    def escalate(
        self,
        clock: Clock,
        action: str | None,
        details: dict[str, str],
        notify: list[str] | None = None,
    ) -> None:
        escalation_id = derived_id(self.state.lead_id, clock.clock_id, clock.due_at.isoformat())
        record = Escalation(escalation_id, clock.rule, clock.clock_id, clock.due_at)
        self.state = with_changes(
            self.state,
            clocks=tuple(c for c in self.state.clocks if c is not clock),
            escalations=(*self.state.escalations, record),
        )
        data = EscalationRaisedData(
            escalation_id=escalation_id,
            rule=clock.rule,
            due_at=clock.due_at,
            notify=notify if notify is not None else list(self.policy.clock(clock.rule).notify),  # type: ignore[arg-type]
            action=action,
            details=details,
        )
        self._emit_system(EscalationRaised, data, escalation_id)

    def notify(self, kind: str, notify: list[str], details: dict[str, str]) -> None:
        if not self.outputs:
            return
        notification_id = derived_id(self.state.lead_id, kind, self.cause)
        data = NotificationRaisedData(
            notification_id=notification_id, kind=kind, notify=notify, details=details
        )
        self._emit_system(NotificationRaised, data, notification_id)

    def _emit_system(
        self, cls: type[Envelope], data: object, event_id: str, subject: str | None = None
    ) -> None:
        self.emit(cls, data, event_id, subject)

    def emit(
        self, cls: type[Envelope], data: object, event_id: str, subject: str | None = None
    ) -> None:
        """Emit a system event about this lead, or (``subject``) about a partner or an
        agreement, at this step's time."""
        self.emitted.append(
            cls(
                event_id=event_id,
                subject=subject or self.state.lead_id,
                occurred_at=self.at,  # type: ignore[call-arg]
                source=SYSTEM,
                actor="system",
                data=data,
            )
        )
