"""What the sharing rules emit: partner activities and the agreement's share record.

Ids are derived from the lead, the cause and the partner, so a replay emits the ids the
live worker emitted and the partner view dedupes redeliveries.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from projections.ids import derived_id
from projections.lead.partners import Share
from projections.lead.step import Step
from schemas.partner_system_events import (
    PartnerActivity,
    PartnerActivityData,
    ShareRecorded,
    ShareRecordedData,
)

RECORDED_STATUS = {
    "pending": "admitted",
    "accepted": "accepted",
    "rejected": "rejected",
    "returned": "closed",
    "deleted": "closed",
    "closed": "closed",
}
"""The lead's share status -> the agreement's (retained stays outstanding there)."""


def activity(step: Step, partner: str, kind: str, **data: Any) -> None:
    """One ``PartnerActivity`` for ``partner`` (the subject: its own partition)."""
    activity_id = derived_id(step.state.lead_id, step.cause, kind, partner)
    data.setdefault("lead_id", step.state.lead_id)
    step.emit(
        PartnerActivity,
        PartnerActivityData(activity_id=activity_id, kind=kind, **data),
        activity_id,
        subject=partner,
    )


def both(step: Step, share: Share, kind: str, **data: Any) -> None:
    """The same activity for the sender and the receiver, each with the other as
    counterparty and its own role."""
    details = dict(data.pop("details", None) or {})
    for partner, other, role in (
        (share.from_partner, share.to_partner, "sender"),
        (share.to_partner, share.from_partner, "receiver"),
    ):
        activity(
            step,
            partner,
            kind,
            agreement_id=share.agreement_id,
            counterparty=other,
            details={**details, "role": role, "share_id": share.share_id},
            **data,
        )


def record_share(step: Step, share: Share) -> None:
    """Tell the agreement where the share stands (via the internal clocks topic)."""
    status = RECORDED_STATUS.get(share.status)
    if status is None:
        return
    event_id = derived_id(step.state.lead_id, share.share_id, "recorded", status)
    step.emit(
        ShareRecorded,
        ShareRecordedData(
            lead_id=step.state.lead_id,
            share_event_id=share.share_id,
            from_partner=share.from_partner,
            to_partner=share.to_partner,
            status=status,
        ),
        event_id,
        subject=share.agreement_id,
    )


def update_share(step: Step, share: Share, **changes: Any) -> Share:
    updated = replace(share, **changes)
    shares = tuple(updated if s.share_id == share.share_id else s for s in step.state.shares)
    step.state = replace(step.state, shares=shares)
    if "status" in changes:
        step.log("share", share.status, updated.status, f"share to {share.to_partner}")
    return updated


def hours_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 3600, 2)
