"""Events the system itself emits: escalations, rejections, notifications, clocks.

Each has a deterministic ``event_id`` derived from what caused it, so a retry or an
auditor's replay produces the same id and subscribers can dedupe.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Model, NonEmpty, SystemEnvelope, UtcDatetime

EscalationRule = Literal[
    "MAQL_NOT_ACTIONED",
    "MQL_NOT_ASSIGNED",
    "MQL_NOT_ACCEPTED",
    "SAL_NOT_CONVERTED",
    "PARTNER_NOT_RESPONDED",
    "ERASURE_OVERDUE",
    "AGREEMENT_REVIEW_DUE",
    "AGREEMENT_EXPIRING",
    "DISPUTE_STEP_OVERDUE",
    "COMMISSION_OVERDUE",
    "RETENTION_EXPIRED",
]
# Clocks that change an aggregate without raising an escalation (an agreement coming
# into force, expiring or ending). Avro carries the rule as a string either way.
TransitionRule = Literal[
    "AGREEMENT_ACTIVATES",
    "AGREEMENT_EXPIRES",
    "TERMINATION_EFFECTIVE",
]
ClockRule = Literal[EscalationRule, TransitionRule]
Aggregate = Literal["lead", "agreement", "dispute"]


class EscalationRaisedData(Model):
    escalation_id: NonEmpty
    rule: EscalationRule
    due_at: UtcDatetime
    notify: list[str] = Field(default_factory=list)
    action: Literal["reassign"] | None = None
    details: dict[str, str] | None = None


class EscalationRaised(SystemEnvelope):
    type: Literal["EscalationRaised"] = "EscalationRaised"
    data: EscalationRaisedData


class EventRejectedData(Model):
    """Why an incoming message was refused; ``original`` is its bytes, base64."""

    reasons: list[str] = Field(min_length=1)
    original: str | None = None
    rejected_event_id: str | None = None
    rejected_type: str | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None


class EventRejected(SystemEnvelope):
    type: Literal["EventRejected"] = "EventRejected"
    data: EventRejectedData


class LeadShareRejectedData(Model):
    reasons: list[str] = Field(min_length=1)
    share_event_id: NonEmpty
    agreement_id: NonEmpty
    from_partner: NonEmpty
    to_partner: NonEmpty


class LeadShareRejected(SystemEnvelope):
    type: Literal["LeadShareRejected"] = "LeadShareRejected"
    data: LeadShareRejectedData


class NotificationRaisedData(Model):
    notification_id: NonEmpty
    kind: NonEmpty
    notify: list[str] = Field(min_length=1)
    details: dict[str, str] | None = None


class NotificationRaised(SystemEnvelope):
    type: Literal["NotificationRaised"] = "NotificationRaised"
    data: NotificationRaisedData


class DeadlineScheduledData(Model):
    clock_id: NonEmpty
    rule: ClockRule
    started_at: UtcDatetime
    due_at: UtcDatetime
    policy_version: NonEmpty


class DeadlineScheduled(SystemEnvelope):
    type: Literal["DeadlineScheduled"] = "DeadlineScheduled"
    data: DeadlineScheduledData


class DeadlineCancelledData(Model):
    clock_id: NonEmpty
    rule: ClockRule
    reason: NonEmpty


class DeadlineCancelled(SystemEnvelope):
    type: Literal["DeadlineCancelled"] = "DeadlineCancelled"
    data: DeadlineCancelledData


class DeadlineDueData(Model):
    """The timer's request: "advance this subject's clocks to ``due_at``".

    A Faust timer cannot change a table, so it sends this to the clocks topic and the
    agent that owns the subject applies it (design/ARCHITECTURE.md). ``aggregate``
    (added in v2) names the fold that owns the subject; v1 messages read as ``lead``.
    """

    due_at: UtcDatetime
    aggregate: Aggregate = "lead"


class DeadlineDue(SystemEnvelope):
    type: Literal["DeadlineDue"] = "DeadlineDue"
    data: DeadlineDueData
