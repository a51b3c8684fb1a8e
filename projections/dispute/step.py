"""A builder the dispute handlers use to change a dispute and collect what it emits."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from projections.agreement.step import emit_event
from projections.dispute.state import DisputeState
from projections.history import Change, Clock, Escalation
from projections.ids import derived_id
from projections.outcome import Outcome
from projections.policy import Policy
from schemas.envelope import Envelope
from schemas.partner_system_events import PartnerActivity, PartnerActivityData
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineCancelledData,
    DeadlineScheduled,
    DeadlineScheduledData,
    EscalationRaised,
    EscalationRaisedData,
)

RULE = "DISPUTE_STEP_OVERDUE"


class DisputeOutcome(Outcome[DisputeState]):
    """What one event or clock did to a dispute."""


@dataclass
class DisputeStep:
    state: DisputeState
    policy: Policy
    at: datetime
    cause: str
    emitted: list[Envelope] = field(default_factory=list)

    def _emit(self, cls: type[Envelope], subject: str, data: Any, eid: str) -> None:
        emit_event(self.emitted, cls, subject, data, at=self.at, eid=eid)

    def tell_parties(self, kind: str, details: dict[str, str]) -> None:
        for partner in self.state.parties:
            activity_id = derived_id(partner, kind, self.state.dispute_id, self.cause)
            data = PartnerActivityData(
                activity_id=activity_id,
                kind=kind,
                lead_id=self.state.lead_id,
                agreement_id=self.state.agreement_id,
                dispute_id=self.state.dispute_id,
                counterparty=",".join(p for p in self.state.parties if p != partner),
                details={"step": self.state.step, "status": self.state.status, **details},
            )
            self._emit(PartnerActivity, partner, data, activity_id)

    def move_to(self, step: str, why: str) -> None:
        """Enter ``step``: its own ``step_days`` start now."""
        before = self.state.step if self.state.history else None
        change = Change(self.at, "step", before, step, self.cause, why)
        self.state = replace(
            self.state, step=step, step_started_at=self.at, history=(*self.state.history, change)
        )
        self.stop_clock("moved on")
        due = self.at + timedelta(days=self.state.step_days)
        clock = Clock(
            RULE, f"{RULE}:{self.state.dispute_id}:{step}", self.at, due, self.policy.version
        )
        self.state = replace(self.state, clocks=(clock,))
        data = DeadlineScheduledData(
            clock_id=clock.clock_id,
            rule=RULE,
            started_at=self.at,
            due_at=due,
            policy_version=self.policy.version,
        )
        eid = derived_id(self.state.dispute_id, clock.clock_id, "scheduled")
        self._emit(DeadlineScheduled, self.state.dispute_id, data, eid)

    def stop_clock(self, reason: str) -> None:
        for clock in self.state.clocks:
            data = DeadlineCancelledData(clock_id=clock.clock_id, rule=RULE, reason=reason)
            eid = derived_id(self.state.dispute_id, clock.clock_id, "cancelled")
            self._emit(DeadlineCancelled, self.state.dispute_id, data, eid)
        self.state = replace(self.state, clocks=())

    def escalate(self, clock: Clock) -> None:
        escalation_id = derived_id(self.state.dispute_id, clock.clock_id, clock.due_at.isoformat())
        record = Escalation(escalation_id, RULE, clock.clock_id, clock.due_at)
        self.state = replace(
            self.state,
            clocks=tuple(c for c in self.state.clocks if c != clock),
            escalations=(*self.state.escalations, record),
        )
        data = EscalationRaisedData(
            escalation_id=escalation_id,
            rule=RULE,
            due_at=clock.due_at,
            notify=list(self.state.parties),
            details={
                "agreement_id": self.state.agreement_id,
                "step": self.state.step,
                "kind": self.state.kind,
            },
        )
        self._emit(EscalationRaised, self.state.dispute_id, data, escalation_id)
