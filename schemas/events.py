"""Every event type of the contract, by name, and one parser for all of them."""

from __future__ import annotations

from datetime import datetime
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
from schemas.envelope import Envelope, SystemEnvelope
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
from schemas.times import AS_RECORDED, range_problem

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


def parse_event(raw: Any, *, as_recorded: bool = False) -> Event:
    """Validate a decoded envelope (a dict) into its event model.

    Raises ``pydantic.ValidationError`` naming every bad field. ``as_recorded`` reads
    what a record log holds: times outside the contract's range are kept
    (``schemas/times.py``), for replay to count and skip.
    """
    return _EVENT_ADAPTER.validate_python(raw, context={AS_RECORDED: as_recorded})


def parse_event_json(raw: str | bytes, *, as_recorded: bool = False) -> Event:
    """Validate one JSON envelope (one line of an event-log file)."""
    return _EVENT_ADAPTER.validate_json(raw, context={AS_RECORDED: as_recorded})


def time_problem(event: Envelope) -> str | None:
    """Why a recorded event states a time outside the contract's range, or None.

    What the door refuses today may be on a record log written before the range
    existed (``schemas/times.py``); replay and verify ask this of every record.
    """
    if isinstance(event, SystemEnvelope):
        return None  # the system's own times: due times may pass the upper bound
    for name, moment in _stated_times(event):
        if moment is not None and (problem := range_problem(moment)) is not None:
            return f"{name}: {problem}"
    return None


def _stated_times(event: Envelope) -> list[tuple[str, datetime | None]]:
    stated: list[tuple[str, datetime | None]] = [("occurred_at", event.occurred_at)]
    if isinstance(event, AgreementProposed | AgreementAmended):
        terms = event.data.terms
        stated += [
            ("data.terms.effective_from", terms.effective_from),
            ("data.terms.expires_at", terms.expires_at),
        ]
    elif isinstance(event, AgreementRenewed):
        stated.append(("data.expires_at", event.data.expires_at))
    elif isinstance(event, AgreementTerminated):
        stated.append(("data.effective_at", event.data.effective_at))
    return stated
