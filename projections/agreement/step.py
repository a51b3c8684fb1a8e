"""A builder the agreement handlers use to change an agreement and collect what it emits.

It lives for one event or one clock, so the fold stays pure: each change makes a new
frozen state, and the emitted events travel back with it in an ``Outcome``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from projections.agreement.state import AgreementState, party_ids
from projections.history import Change, Clock, Escalation
from projections.ids import derived_id
from projections.outcome import Outcome as GenericOutcome
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

SYSTEM = "leadledger"


class Outcome(GenericOutcome[AgreementState]):
    """What one event or clock did to an agreement."""


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months, clamped to the month's last day (Jan 31 +
    1 month = Feb 28/29), the way contracts count "every six months"."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def emit_event(
    emitted: list[Envelope], cls: type[Envelope], subject: str, data: Any, *, at: datetime, eid: str
) -> None:
    emitted.append(
        cls(
            event_id=eid,
            subject=subject,
            occurred_at=at,  # type: ignore[call-arg]
            source=SYSTEM,
            actor="system",
            data=data,
        )
    )


@dataclass
class AgreementStep:
    state: AgreementState
    policy: Policy
    at: datetime
    cause: str  # the event id, or the clock id for what a clock did
    emitted: list[Envelope] = field(default_factory=list)

    @property
    def agreement_id(self) -> str:
        return self.state.agreement_id

    def log(self, kind: str, before: str | None, after: str | None, rule: str) -> None:
        change = Change(self.at, kind, before, after, self.cause, rule)
        self.state = replace(self.state, history=(*self.state.history, change))

    def set_status(self, status: str, rule: str, details: dict[str, str] | None = None) -> None:
        """Change the status and tell every party (their view shows agreement states)."""
        self.log("status", self.state.status, status, rule)
        self.state = replace(self.state, status=status)
        self.tell_parties(status, details)

    def tell_parties(self, state: str, details: dict[str, str] | None = None) -> None:
        body = {"state": state, "terms_version": str(self.state.terms_version), **(details or {})}
        for partner in party_ids(self.state):
            others = [p for p in party_ids(self.state) if p != partner]
            self.activity(
                partner,
                "agreement_state",
                f"{state}:{self.cause}",
                agreement_id=self.agreement_id,
                counterparty=",".join(others),
                details=body,
            )

    def activity(self, partner: str, kind: str, cause: str, **fields: Any) -> None:
        activity_id = derived_id(partner, kind, self.agreement_id, cause)
        data = PartnerActivityData(activity_id=activity_id, kind=kind, **fields)
        emit_event(self.emitted, PartnerActivity, partner, data, at=self.at, eid=activity_id)

    def start_clock(self, rule: str, due_at: datetime, tag: str = "") -> None:
        self.stop_clock(rule, "restarted")
        clock_id = f"{rule}:{self.agreement_id}:{tag or self.cause}"
        clock = Clock(rule, clock_id, self.at, due_at, self.policy.version)
        self.state = replace(self.state, clocks=(*self.state.clocks, clock))
        data = DeadlineScheduledData(
            clock_id=clock_id,
            rule=rule,  # a ClockRule, checked by pydantic
            started_at=self.at,
            due_at=due_at,
            policy_version=self.policy.version,
        )
        scheduled = derived_id(self.agreement_id, clock_id, "scheduled")
        emit_event(
            self.emitted, DeadlineScheduled, self.agreement_id, data, at=self.at, eid=scheduled
        )

    def stop_clock(self, rule: str, reason: str) -> None:
        for clock in [c for c in self.state.clocks if c.rule == rule]:
            self.state = replace(
                self.state, clocks=tuple(c for c in self.state.clocks if c != clock)
            )
            data = DeadlineCancelledData(clock_id=clock.clock_id, rule=rule, reason=reason)
            eid = derived_id(self.agreement_id, clock.clock_id, "cancelled")
            emit_event(
                self.emitted, DeadlineCancelled, self.agreement_id, data, at=self.at, eid=eid
            )

    def stop_all_clocks(self, reason: str) -> None:
        for rule in sorted({c.rule for c in self.state.clocks}):
            self.stop_clock(rule, reason)

    def escalate(self, clock: Clock, notify: list[str], details: dict[str, str]) -> None:
        """Raise the clock's escalation (id from agreement, clock and due time)."""
        escalation_id = derived_id(self.agreement_id, clock.clock_id, clock.due_at.isoformat())
        record = Escalation(escalation_id, clock.rule, clock.clock_id, clock.due_at)
        self.state = replace(
            self.state,
            clocks=tuple(c for c in self.state.clocks if c != clock),
            escalations=(*self.state.escalations, record),
        )
        data = EscalationRaisedData(
            escalation_id=escalation_id,
            rule=clock.rule,
            due_at=clock.due_at,
            notify=notify,
            details=details,
        )
        emit_event(
            self.emitted, EscalationRaised, self.agreement_id, data, at=self.at, eid=escalation_id
        )
