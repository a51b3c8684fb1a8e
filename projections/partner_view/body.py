"""The JSON body of a partner's view: ``GET /partners/{id}`` (and its parts) and
``replay --partner``, one function for both.

Lists are sorted by content, not by arrival, so the live topic's interleaving of
several leads' activities gives the body replay gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.partner_view.kpis import kpis
from projections.partner_view.state import CommissionLine, PartnerView

HELD = frozenset({"pending", "accepted", "retained"})
"""Link statuses under which the receiver holds the lead now."""


def to_view(view: PartnerView) -> dict[str, Any]:
    """The body of ``GET /partners/{id}`` and of ``replay --partner``."""
    received = sorted(view.received, key=lambda s: (s.shared_at, s.lead_id, s.share_id))
    shared = sorted(view.shared, key=lambda s: (s.shared_at, s.lead_id, s.share_id))
    lines = sorted(view.commissions, key=lambda c: (c.due_at, c.commission_id))
    payer = [c for c in lines if c.role == "payer"]
    payee = [c for c in lines if c.role == "payee"]
    return {
        "partner_id": view.partner_id,
        "received": sorted({s.lead_id for s in received if s.status in HELD}),
        "shared": sorted({s.lead_id for s in shared}),
        "rejected_shares": [
            {"lead_id": r.lead_id, "to_partner": r.to_partner, "reasons": list(r.reasons)}
            for r in sorted(view.refused, key=lambda r: (r.at, r.lead_id, r.to_partner))
        ],
        "pending_responses": [
            {
                "lead_id": s.lead_id,
                "from_partner": s.counterparty,
                "agreement_id": s.agreement_id,
                "shared_at": s.shared_at,
                "respond_by": s.respond_by,
                "overdue": s.response_overdue,
            }
            for s in received
            if s.status == "pending"
        ],
        "commission_owed": _total(max(c.amount - c.paid, 0.0) for c in payer),
        "commission_paid": _total(c.paid for c in payer),
        "commission_receivable": _total(max(c.amount - c.paid, 0.0) for c in payee),
        "commission_received": _total(c.paid for c in payee),
        "commissions": [_line(c) for c in lines],
        "open_disputes": sorted(
            d.dispute_id for d in view.disputes if (d.status or "").upper() != "RESOLVED"
        ),
        "disputes": [vars_of(d) for d in sorted(view.disputes, key=lambda d: d.dispute_id)],
        "agreements": dict(sorted(view.agreements)),
        "kpis": kpis(received, view.targets),
        "received_detail": [vars_of(s) for s in received],
        "shared_detail": [vars_of(s) for s in shared],
    }


def _total(values: Iterable[float]) -> float:
    return float(round(sum(values), 2))


def _line(c: CommissionLine) -> dict[str, Any]:
    balance = round(c.amount - c.paid, 2)
    status = (
        "paid" if balance == 0 else "overpaid" if balance < 0 else "underpaid" if c.paid else "open"
    )
    return {**vars_of(c), "balance": balance, "status": status}


def vars_of(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__slots__}


SECTIONS = {
    "received": ("received", "pending_responses", "received_detail"),
    "shared": ("shared", "rejected_shares", "shared_detail"),
    "commissions": (
        "commission_owed",
        "commission_paid",
        "commission_receivable",
        "commission_received",
        "commissions",
    ),
    "disputes": ("open_disputes", "disputes"),
    "kpis": ("kpis",),
}


def section(body: dict[str, Any], name: str) -> dict[str, Any]:
    """A sub-resource (``/partners/{id}/<name>``): the partner id and its fields."""
    return {"partner_id": body["partner_id"], **{key: body[key] for key in SECTIONS[name]}}
