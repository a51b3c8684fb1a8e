"""Lead lifecycle events (``subject`` = lead id)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.envelope import Envelope, Model, NonEmpty
from schemas.limits import Email, Short, ShortNonEmpty, Text, TextNonEmpty

Readiness = Literal["now", "3m", "6m", "12m", "unknown"]
DecisionStatus = Literal[
    "MAQL", "BDM_CONNECTED", "MQL", "SAL", "SQL", "DISQUALIFIED", "JUNK", "REMARKET"
]


class Person(Model):
    """Personal data of a lead: the part that is encrypted per lead in the log."""

    email: Email
    first_name: Short | None = None
    last_name: Short | None = None
    phone: Short | None = None
    job_title: Short | None = None
    company: Short | None = None
    country: Short | None = None
    region: Short | None = None


class SealedPerson(Model):
    """A :class:`Person` encrypted with the lead's key (AES-GCM); base64 text fields.

    Destroying the key (crypto-shredding) leaves this unreadable everywhere it was
    copied, while the rest of the event stays readable for audit.
    """

    key_id: NonEmpty
    nonce: NonEmpty
    ciphertext: NonEmpty


class Profile(Model):
    """The non-identifying part of a person, kept in clear beside a sealed person.

    What the qualification and exclusivity rules decide on (job title, country, region,
    which fields were given), so that rules and replay never need the plaintext. The
    identifying fields (email, names, phone, company) exist only sealed.
    """

    job_title: Short | None = None
    country: Short | None = None
    region: Short | None = None
    fields: list[str] = Field(default_factory=list)


class LeadCapturedData(Model):
    person: Person | SealedPerson
    profile: Profile | None = None  # set by the recorder when it seals ``person``
    industry: Short | None = None
    budget: float | None = None
    readiness: Readiness | None = None


class LeadCaptured(Envelope):
    type: Literal["LeadCaptured"] = "LeadCaptured"
    data: LeadCapturedData


class LeadActivityData(Model):
    activity: ShortNonEmpty
    points: int | None = None


class LeadActivity(Envelope):
    type: Literal["LeadActivity"] = "LeadActivity"
    data: LeadActivityData


class LeadScoreAdjustedData(Model):
    points: int
    reason: TextNonEmpty


class LeadScoreAdjusted(Envelope):
    type: Literal["LeadScoreAdjusted"] = "LeadScoreAdjusted"
    data: LeadScoreAdjustedData


class LeadAssignedData(Model):
    owner: ShortNonEmpty
    team: Literal["lead-qual", "sales"] | None = None


class LeadAssigned(Envelope):
    type: Literal["LeadAssigned"] = "LeadAssigned"
    data: LeadAssignedData


class LeadStatusChangedData(Model):
    to: DecisionStatus
    reason: Text | None = None


class LeadStatusChanged(Envelope):
    type: Literal["LeadStatusChanged"] = "LeadStatusChanged"
    data: LeadStatusChangedData


class LeadConvertedData(Model):
    contact_id: ShortNonEmpty
    account_id: ShortNonEmpty
    opportunity_id: Short | None = None
    amount: float | None = None
    currency: Short | None = None


class LeadConverted(Envelope):
    type: Literal["LeadConverted"] = "LeadConverted"
    data: LeadConvertedData


class OpportunityClosedData(Model):
    opportunity_id: ShortNonEmpty
    won: bool
    amount: float
    currency: ShortNonEmpty


class OpportunityClosed(Envelope):
    type: Literal["OpportunityClosed"] = "OpportunityClosed"
    data: OpportunityClosedData
