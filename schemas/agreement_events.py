"""Partner agreement, sharing, dispute and commission events.

``subject`` is the agreement id, except for ``LeadShared``, ``PartnerResponded`` and
``CommissionPaid`` (the lead id) and the dispute events (the dispute id).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Envelope, EventTime, Model, NonEmpty
from schemas.times import TermDays, TermHours, TermMonths

Regime = Literal["GDPR", "CCPA", "HIPAA"]


class Party(Model):
    partner_id: NonEmpty
    role: Literal["generator", "receiver", "both"]


class QualificationTerms(Model):
    min_budget: float | None = None
    industries: list[str] | None = None
    job_roles: list[str] | None = None
    readiness: list[str] | None = None
    required_fields: list[str] | None = None
    min_score: int | None = None


class PrivacyTerms(Model):
    regimes: list[Regime] = Field(default_factory=list)
    require_consent: bool = True
    retention_days: TermDays = Field(default=365, ge=1)
    erasure_within_days: TermDays = Field(default=30, ge=1)
    allowed_fields: list[str] | None = None


class TerminationTerms(Model):
    notice_days: TermDays = Field(default=30, ge=0)
    outstanding_leads: Literal["return", "retain_until_closed", "delete"] = "return"


class RevenueShareTerms(Model):
    model: Literal["percent", "flat"]
    rate: float = Field(ge=0)
    currency: NonEmpty
    payable_within_days: TermDays = Field(default=30, ge=0)


DisputeStep = Literal["negotiation", "mediation", "arbitration"]


def _all_steps() -> list[DisputeStep]:
    return ["negotiation", "mediation", "arbitration"]


class DisputeTerms(Model):
    steps: list[DisputeStep] = Field(default_factory=_all_steps)
    step_days: TermDays = Field(default=14, ge=1)


class ResponseTerms(Model):
    accept_within_hours: TermHours = Field(default=48, ge=1)


class KpiTerms(Model):
    min_conversion_rate: float | None = None
    max_follow_up_hours: float | None = None


class Exclusivity(Model):
    region: str | None = None
    industry: str | None = None
    partner_id: NonEmpty


class Terms(Model):
    """The ten elements of a lead-sharing agreement, as data (roles live in ``parties``)."""

    qualification: QualificationTerms = Field(default_factory=QualificationTerms)
    privacy: PrivacyTerms = Field(default_factory=PrivacyTerms)
    nda_required: bool = False
    effective_from: EventTime
    expires_at: EventTime | None = None
    auto_renew: bool = False
    review_every_months: TermMonths = Field(default=6, ge=1)
    termination: TerminationTerms = Field(default_factory=TerminationTerms)
    revenue_share: RevenueShareTerms | None = None
    disputes: DisputeTerms = Field(default_factory=DisputeTerms)
    response: ResponseTerms = Field(default_factory=ResponseTerms)
    kpis: KpiTerms = Field(default_factory=KpiTerms)
    exclusivity: list[Exclusivity] = Field(default_factory=list)


class AgreementProposedData(Model):
    parties: list[Party] = Field(min_length=2)
    terms: Terms


class AgreementProposed(Envelope):
    type: Literal["AgreementProposed"] = "AgreementProposed"
    data: AgreementProposedData


class AgreementSignedData(Model):
    partner_id: NonEmpty
    signer: NonEmpty
    title: str | None = None


class AgreementSigned(Envelope):
    type: Literal["AgreementSigned"] = "AgreementSigned"
    data: AgreementSignedData


class AgreementAmendedData(Model):
    terms: Terms


class AgreementAmended(Envelope):
    type: Literal["AgreementAmended"] = "AgreementAmended"
    data: AgreementAmendedData


class AgreementRenewedData(Model):
    expires_at: EventTime


class AgreementRenewed(Envelope):
    type: Literal["AgreementRenewed"] = "AgreementRenewed"
    data: AgreementRenewedData


class AgreementTerminatedData(Model):
    partner_id: NonEmpty
    reason: NonEmpty
    effective_at: EventTime


class AgreementTerminated(Envelope):
    type: Literal["AgreementTerminated"] = "AgreementTerminated"
    data: AgreementTerminatedData


class LeadSharedData(Model):
    agreement_id: NonEmpty
    from_partner: NonEmpty
    to_partner: NonEmpty


class LeadShared(Envelope):
    type: Literal["LeadShared"] = "LeadShared"
    data: LeadSharedData


class PartnerRespondedData(Model):
    partner_id: NonEmpty
    accepted: bool
    reason: str | None = None


class PartnerResponded(Envelope):
    type: Literal["PartnerResponded"] = "PartnerResponded"
    data: PartnerRespondedData


class DisputeOpenedData(Model):
    agreement_id: NonEmpty
    lead_id: str | None = None
    kind: Literal["qualification", "commission", "exclusivity", "privacy", "other"]
    claim: NonEmpty


class DisputeOpened(Envelope):
    type: Literal["DisputeOpened"] = "DisputeOpened"
    data: DisputeOpenedData


class DisputeStepData(Model):
    step: str | None = None
    outcome: str | None = None


class DisputeEscalated(Envelope):
    type: Literal["DisputeEscalated"] = "DisputeEscalated"
    data: DisputeStepData


class DisputeResolved(Envelope):
    type: Literal["DisputeResolved"] = "DisputeResolved"
    data: DisputeStepData


class CommissionPaidData(Model):
    agreement_id: NonEmpty
    amount: float
    currency: NonEmpty


class CommissionPaid(Envelope):
    type: Literal["CommissionPaid"] = "CommissionPaid"
    data: CommissionPaidData
