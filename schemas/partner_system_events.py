"""System events that carry a partnership fact from one aggregate to another.

The agreement and lead aggregates live on different topics and partitions, so a
fact one of them decides and the other needs travels as an event: through the internal
clocks topic (``ShareRecorded``, ``SharedLeadReleased``), to the partner-activity topic
(``PartnerActivity``) or to the notifications topic (``CommissionAccrued``). Partners
cannot publish them (they are registered as system events), and each carries a
deterministic ``event_id`` so live and replay emit the same ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Model, NonEmpty, SystemEnvelope, UtcDatetime

ShareStatus = Literal["admitted", "accepted", "rejected", "closed"]
Handling = Literal["return", "retain_until_closed", "delete"]


class ShareRecordedData(Model):
    """A share's new status, for the agreement's book of outstanding leads."""

    lead_id: NonEmpty
    share_event_id: NonEmpty
    from_partner: NonEmpty
    to_partner: NonEmpty
    status: ShareStatus


class ShareRecorded(SystemEnvelope):
    """``subject`` = the agreement id."""

    type: Literal["ShareRecorded"] = "ShareRecorded"
    data: ShareRecordedData


class SharedLeadReleasedData(Model):
    """A termination took effect: the lead's share ends the way the terms say."""

    agreement_id: NonEmpty
    to_partner: NonEmpty
    handling: Handling
    effective_at: UtcDatetime
    erasure_within_days: int = Field(ge=1)


class SharedLeadReleased(SystemEnvelope):
    """``subject`` = the lead id."""

    type: Literal["SharedLeadReleased"] = "SharedLeadReleased"
    data: SharedLeadReleasedData


class PartnerActivityData(Model):
    """One thing that happened to a partner; the partner view folds these.

    ``kind`` is one of the view's kinds (``projections/partner_view/fold.py`` owns the list:
    share_sent, share_received, share_refused, responded, lead_converted,
    opportunity_won, commission_accrued, commission_paid, lead_returned, lead_retained,
    lead_deleted, dispute_opened, dispute_step, dispute_resolved, agreement_state).
    """

    activity_id: NonEmpty
    kind: NonEmpty
    lead_id: str | None = None
    agreement_id: str | None = None
    dispute_id: str | None = None
    counterparty: str | None = None
    amount: float | None = None
    currency: str | None = None
    reasons: list[str] | None = None
    details: dict[str, str] | None = None


class PartnerActivity(SystemEnvelope):
    """``subject`` = the partner id: a partner's topic partition holds only its own data."""

    type: Literal["PartnerActivity"] = "PartnerActivity"
    data: PartnerActivityData


class CommissionAccruedData(Model):
    commission_id: NonEmpty
    agreement_id: NonEmpty
    payer: NonEmpty
    payee: NonEmpty
    amount: float
    currency: NonEmpty
    due_at: UtcDatetime


class CommissionAccrued(SystemEnvelope):
    """``subject`` = the lead id whose won opportunity earned the commission."""

    type: Literal["CommissionAccrued"] = "CommissionAccrued"
    data: CommissionAccruedData
