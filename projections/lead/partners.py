"""What a lead keeps about partners: consents, shares, commissions and obligations.

Each record is frozen and has a compact JSON form (a list, like the lead's clocks), so
the lead table stays small. A share snapshots the terms it needs when it is admitted:
an amendment signed later does not change a lead already shared (rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from projections.history import iso_z

OUTSTANDING = frozenset({"pending", "accepted", "retained"})
"""Share statuses under which the receiver still holds the lead."""


@dataclass(frozen=True, slots=True)
class Consent:
    purpose: str
    partner_id: str | None  # None: for any partner
    regime: str
    given_at: datetime  # when this decision was made
    given: bool = True  # False: withdrawn


@dataclass(frozen=True, slots=True)
class Share:
    share_id: str  # the admitted LeadShared event id
    agreement_id: str
    from_partner: str
    to_partner: str
    shared_at: datetime
    terms_version: int
    accept_within_hours: int
    revenue_model: str | None  # "percent" | "flat" | None (no revenue share)
    revenue_rate: float
    currency: str | None
    payable_within_days: int
    on_termination: str  # "return" | "retain_until_closed" | "delete"
    erasure_within_days: int
    status: str = "pending"  # pending/accepted/rejected/returned/retained/deleted/closed
    responded_at: datetime | None = None
    # Added with retention (issue 5); a share stored before it has none.
    retention_days: int | None = None
    # Added with the receiver's pipeline (issue 17): what the receiver reported about
    # its own deal on the lead, apart from the own organisation's SLA funnel.
    pipeline: str | None = None  # None (nothing reported) / converted / won / lost
    opportunity_id: str | None = None
    deal_amount: float | None = None
    deal_currency: str | None = None
    converted_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Commission:
    commission_id: str
    agreement_id: str
    payer: str
    payee: str
    amount: float
    currency: str
    accrued_at: datetime
    due_at: datetime
    paid: float = 0.0

    @property
    def balance(self) -> float:
        """What is still owed; negative when overpaid."""
        return round(self.amount - self.paid, 2)


@dataclass(frozen=True, slots=True)
class Obligation:
    """A partner must delete the lead's personal data and say so (``ErasureConfirmed``).

    ``kind``: "erasure" (the agreement ended with ``delete``), "erasure_request" (the
    person asked to be forgotten: ``request_id`` is the request's, shared by every
    holder) or "retention" (the agreement's ``retention_days`` ran out)."""

    obligation_id: str
    kind: str
    agreement_id: str
    partner_id: str  # who must act
    created_at: datetime
    due_at: datetime
    settled_at: datetime | None = None
    # Added with issue 5 (a row stored before has none): the share it is about, the id
    # ErasureConfirmed names when it is not the obligation id, and the request's regime.
    share_id: str | None = None
    request_id: str | None = None
    regime: str | None = None

    @property
    def confirm_id(self) -> str:
        """The ``request_id`` an ``ErasureConfirmed`` settling this obligation names."""
        return self.request_id or self.obligation_id


@dataclass(frozen=True, slots=True)
class ErasureRequest:
    """The person asked to be forgotten: from then on the lead is erased."""

    request_id: str
    regime: str
    requested_at: datetime
    due_at: datetime | None = None  # the regime's deadline for the whole request


def partner_fields(
    shares: tuple[Share, ...],
    commissions: tuple[Commission, ...],
    obligations: tuple[Obligation, ...],
) -> dict[str, Any]:
    """The lead view's partner part (``GET /leads/{id}``, ``replay --lead``)."""
    return {
        "shares": [
            {
                "share_id": s.share_id,
                "agreement_id": s.agreement_id,
                "from_partner": s.from_partner,
                "to_partner": s.to_partner,
                "shared_at": iso_z(s.shared_at),
                "terms_version": s.terms_version,
                "status": s.status,
                "responded_at": iso_z(s.responded_at) if s.responded_at else None,
                "receiver_pipeline": pipeline_view(s),
            }
            for s in shares
        ],
        "commissions": [
            {
                "commission_id": c.commission_id,
                "agreement_id": c.agreement_id,
                "payer": c.payer,
                "payee": c.payee,
                "amount": c.amount,
                "currency": c.currency,
                "paid": c.paid,
                "balance": c.balance,
                "due_at": iso_z(c.due_at),
            }
            for c in commissions
        ],
        "obligations": [
            {
                "obligation_id": o.obligation_id,
                "kind": o.kind,
                "partner_id": o.partner_id,
                "due_at": iso_z(o.due_at),
                "settled_at": iso_z(o.settled_at) if o.settled_at else None,
            }
            for o in obligations
        ],
    }


def pipeline_view(share: Share) -> dict[str, Any] | None:
    """The receiver's own deal on the lead, as it reported it (None: nothing yet)."""
    if share.pipeline is None:
        return None
    return {
        "stage": share.pipeline,
        "opportunity_id": share.opportunity_id,
        "amount": share.deal_amount,
        "currency": share.deal_currency,
        "converted_at": iso_z(share.converted_at) if share.converted_at else None,
        "closed_at": iso_z(share.closed_at) if share.closed_at else None,
    }


_DATES = {"given_at", "shared_at", "responded_at", "accrued_at", "due_at", "created_at"}
_DATES |= {"settled_at", "requested_at", "converted_at", "closed_at"}


def record_to_json(record: Any) -> list[Any]:
    out: list[Any] = []
    for f in fields(record):
        value = getattr(record, f.name)
        out.append(value.isoformat() if isinstance(value, datetime) else value)
    return out


def record_from_json(cls: type[Any], raw: list[Any]) -> Any:
    values = []
    # A row shorter than the record (a field added later) takes the defaults.
    for f, value in zip(fields(cls), raw, strict=False):
        parsed = datetime.fromisoformat(value) if f.name in _DATES and value else value
        values.append(parsed)
    return cls(*values)


def records_from_json(cls: type[Any], raw: list[list[Any]] | None) -> tuple[Any, ...]:
    return tuple(record_from_json(cls, row) for row in raw or ())
