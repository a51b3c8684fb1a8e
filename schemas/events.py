"""Every event type of the contract, by name, and one parser for all of them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from schemas.agreement_events import (
    AgreementAmended,
    AgreementProposed,
    AgreementRenewed,
    AgreementSigned,
    AgreementTerminated,
    CommissionPaid,
    DisputeEscalated,
    DisputeOpened,
    DisputeResolved,
    LeadShared,
    PartnerResponded,
)
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadActivity,
    LeadAssigned,
    LeadCaptured,
    LeadConverted,
    LeadScoreAdjusted,
    LeadStatusChanged,
    OpportunityClosed,
)
from schemas.partner_system_events import (
    CommissionAccrued,
    PartnerActivity,
    SharedLeadReleased,
    ShareRecorded,
)
from schemas.privacy_events import (
    ConsentGiven,
    ConsentWithdrawn,
    ErasureConfirmed,
    ErasureRequested,
)
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineDue,
    DeadlineScheduled,
    EscalationRaised,
    EventRejected,
    LeadShareRejected,
    NotificationRaised,
)

LeadEvent = (
    LeadCaptured
    | LeadActivity
    | LeadScoreAdjusted
    | LeadAssigned
    | LeadStatusChanged
    | LeadConverted
    | OpportunityClosed
)
LEAD_EVENT_CLASSES: tuple[type[Envelope], ...] = LeadEvent.__args__
"""The lead lifecycle's event classes: what the lead fold and its agent accept."""
LEAD_EVENT_TYPES: frozenset[str] = frozenset(
    cls.model_fields["type"].default for cls in LEAD_EVENT_CLASSES
)

AgreementEvent = (
    AgreementProposed
    | AgreementSigned
    | AgreementAmended
    | AgreementRenewed
    | AgreementTerminated
    | LeadShared
    | PartnerResponded
    | DisputeOpened
    | DisputeEscalated
    | DisputeResolved
    | CommissionPaid
)
PrivacyEvent = ConsentGiven | ConsentWithdrawn | ErasureRequested | ErasureConfirmed
SystemEvent = (
    EscalationRaised
    | EventRejected
    | LeadShareRejected
    | NotificationRaised
    | DeadlineScheduled
    | DeadlineCancelled
    | DeadlineDue
    | ShareRecorded
    | SharedLeadReleased
    | PartnerActivity
    | CommissionAccrued
)
Event = LeadEvent | AgreementEvent | PrivacyEvent | SystemEvent

EVENT_TYPES: dict[str, type[Envelope]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        LeadCaptured,
        LeadActivity,
        LeadScoreAdjusted,
        LeadAssigned,
        LeadStatusChanged,
        LeadConverted,
        OpportunityClosed,
        AgreementProposed,
        AgreementSigned,
        AgreementAmended,
        AgreementRenewed,
        AgreementTerminated,
        LeadShared,
        PartnerResponded,
        DisputeOpened,
        DisputeEscalated,
        DisputeResolved,
        CommissionPaid,
        ConsentGiven,
        ConsentWithdrawn,
        ErasureRequested,
        ErasureConfirmed,
        EscalationRaised,
        EventRejected,
        LeadShareRejected,
        NotificationRaised,
        DeadlineScheduled,
        DeadlineCancelled,
        DeadlineDue,
        ShareRecorded,
        SharedLeadReleased,
        PartnerActivity,
        CommissionAccrued,
    )
}
"""Event type name -> its model; the names are the ``type`` values of the contract."""

PARTNER_EVENT_TYPES: frozenset[str] = frozenset(
    name for name in EVENT_TYPES if EVENT_TYPES[name] not in SystemEvent.__args__
)
"""Types a partner may publish; the system's own types are refused on the input topics."""

_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Annotated[Event, Field(discriminator="type")])


def parse_event(raw: Any) -> Event:
    """Validate a decoded envelope (a dict) into its event model.

    Raises ``pydantic.ValidationError`` naming every bad field.
    """
    return _EVENT_ADAPTER.validate_python(raw)


def parse_event_json(raw: str | bytes) -> Event:
    """Validate one JSON envelope (one line of an event-log file)."""
    return _EVENT_ADAPTER.validate_json(raw)
