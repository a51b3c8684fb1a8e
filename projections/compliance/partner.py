"""Whose personal data a partner holds: the per-partner compliance view (issue 5, item 4).

Folded from the partner's own ``PartnerActivity`` events (the topic keyed by partner
id), so one partner's row holds only its own leads. A receiver holds a lead from the
moment it is shared with it until it gives it back (rejected, returned; unless an
erasure request reached it first) or confirms its deletion (``ErasureConfirmed``): the
same rule as ``holders.holding_shares`` on the lead side, which the golden privacy log
and ``test_privacy_properties`` check. Pure and idempotent (activity ids deduped).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from projections.history import iso_z
from schemas.partner_system_events import PartnerActivity, PartnerActivityData

Changes = Callable[[dict[str, str]], dict[str, Any] | None]
CHANGES: dict[str, Changes] = {
    # What each activity kind does to the receiver's holding; None: no longer held.
    "responded": lambda d: {"status": "accepted"} if d.get("accepted") == "true" else None,
    "lead_returned": lambda d: None,
    "erasure_confirmed": lambda d: None,
    "lead_retained": lambda d: {"status": "retained"},
    "lead_deleted": lambda d: {"status": "deleted", "erase_by": d["erase_by"]},
    "share_closed": lambda d: {"status": "closed"},
    "retention_due": lambda d: {"retention_due": d["delete_by"]},
    "erasure_requested": lambda d: {"erasure_request": d["request_id"], "erase_by": d["erase_by"]},
    "consent_withdrawn": lambda d: {"consent_withdrawn": True},
}


@dataclass(frozen=True, slots=True)
class PartnerPrivacy:
    partner_id: str
    holdings: dict[str, dict[str, Any]] = field(default_factory=dict)  # by share id
    seen: frozenset[str] = field(default_factory=frozenset)


def fold_privacy(view: PartnerPrivacy | None, event: PartnerActivity) -> PartnerPrivacy:
    view = view or PartnerPrivacy(partner_id=event.subject)
    if event.subject != view.partner_id:
        raise ValueError(f"activity of {event.subject} cannot go into {view.partner_id}'s view")
    data = event.data
    if data.activity_id in view.seen:
        return view
    seen = view.seen | {data.activity_id}
    details = data.details or {}
    share_id = details.get("share_id")
    if details.get("role") != "receiver" or share_id is None:
        return replace(view, seen=seen)  # a sender keeps its own data: not a holding
    holdings = dict(view.holdings)
    changed = _apply(holdings.get(share_id), data, details, iso_z(event.occurred_at))
    if changed is None:
        holdings.pop(share_id, None)
    else:
        holdings[share_id] = changed
    return replace(view, holdings=holdings, seen=seen)


def _apply(
    holding: dict[str, Any] | None, data: PartnerActivityData, details: dict[str, str], at: str
) -> dict[str, Any] | None:
    kind = data.kind
    if kind == "share_received":
        return {
            "lead_id": data.lead_id,
            "agreement_id": data.agreement_id,
            "share_id": details["share_id"],
            "status": "pending",
            "since": at,
            "retention_due": None,
            "erasure_request": None,
            "erase_by": None,
            "consent_withdrawn": False,
        }
    if holding is None or kind not in CHANGES:
        return holding
    changes = CHANGES[kind](details)
    if changes is None and holding["erasure_request"] and kind != "erasure_confirmed":
        # Asked to erase while it held the lead: giving it back (rejected, returned)
        # does not confirm the erasure; it holds the duty until it does.
        return {**holding, "status": "rejected" if kind == "responded" else "returned"}
    return None if changes is None else {**holding, **changes}


def partner_privacy(view: PartnerPrivacy) -> dict[str, Any]:
    """``GET /privacy/partners/{id}`` and ``replay --privacy-partner ID``."""
    rows = sorted(view.holdings.values(), key=lambda h: (h["lead_id"], h["share_id"]))
    return {
        "partner_id": view.partner_id,
        "holds_leads": sorted({h["lead_id"] for h in rows}),
        "holdings": rows,
    }


def privacy_to_json(view: PartnerPrivacy) -> bytes:
    body = {"partner_id": view.partner_id, "holdings": view.holdings, "seen": sorted(view.seen)}
    return json.dumps(body, separators=(",", ":")).encode()


def privacy_from_json(raw: bytes) -> PartnerPrivacy:
    body = json.loads(raw)
    return PartnerPrivacy(body["partner_id"], body["holdings"], frozenset(body["seen"]))
