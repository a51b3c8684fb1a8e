"""The per-partner view's state: what one partner received, shared, owes and disputes.

Built only from that partner's own ``PartnerActivity`` events (their subject is the
partner id), so it can never hold another partner's data. Times are kept as the
view's ISO strings: the state is a projection for reading, and stores as plain JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Link:
    """One share as this partner sees it (as sender or as receiver)."""

    share_id: str
    lead_id: str
    agreement_id: str
    counterparty: str
    shared_at: str
    respond_by: str | None = None
    status: str = "pending"  # pending/accepted/rejected/returned/retained/deleted/closed
    accepted: bool | None = None
    responded_at: str | None = None
    response_hours: float | None = None
    within_sla: bool | None = None
    response_overdue: bool = False
    converted: bool = False
    won_amount: float | None = None
    erasure: str | None = None  # pending / overdue / confirmed, after a "delete" release
    # Added with the receiver's pipeline (issue 17); a view stored before has none.
    converted_at: str | None = None
    hours_to_convert: float | None = None  # the receiver's follow-up: acceptance to conversion
    outcome: str | None = None  # won / lost
    deal_amount: float | None = None
    deal_currency: str | None = None
    closed_at: str | None = None
    track: str | None = None  # "receiver": the receiver reported the deal on its pipeline


@dataclass(frozen=True, slots=True)
class CommissionLine:
    commission_id: str
    agreement_id: str
    lead_id: str
    role: str  # "payer" (this partner pays) or "payee"
    counterparty: str
    amount: float
    currency: str
    due_at: str
    paid: float = 0.0
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Refusal:
    lead_id: str
    agreement_id: str
    to_partner: str
    reasons: tuple[str, ...]
    at: str


@dataclass(frozen=True, slots=True)
class DisputeLine:
    dispute_id: str
    agreement_id: str
    lead_id: str | None
    step: str | None
    status: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class PartnerView:
    partner_id: str
    received: tuple[Link, ...] = ()
    shared: tuple[Link, ...] = ()
    refused: tuple[Refusal, ...] = ()
    commissions: tuple[CommissionLine, ...] = ()
    disputes: tuple[DisputeLine, ...] = ()
    agreements: tuple[tuple[str, str], ...] = ()  # (agreement id, its state)
    targets: tuple[tuple[str, str, str], ...] = ()  # (agreement id, KPI term, value)
    seen: frozenset[str] = field(default_factory=frozenset)


def view_to_json(view: PartnerView) -> bytes:
    body = asdict(view)
    body["seen"] = sorted(view.seen)
    return json.dumps(body, separators=(",", ":")).encode()


def view_from_json(raw: bytes) -> PartnerView:
    body: dict[str, Any] = json.loads(raw)
    return PartnerView(
        partner_id=body["partner_id"],
        received=tuple(Link(**row) for row in body["received"]),
        shared=tuple(Link(**row) for row in body["shared"]),
        refused=tuple(
            Refusal(**{**row, "reasons": tuple(row["reasons"])}) for row in body["refused"]
        ),
        commissions=tuple(CommissionLine(**row) for row in body["commissions"]),
        disputes=tuple(DisputeLine(**row) for row in body["disputes"]),
        agreements=tuple((a, s) for a, s in body["agreements"]),
        targets=tuple((a, k, v) for a, k, v in body["targets"]),
        seen=frozenset(body["seen"]),
    )
