"""Fold a partner's ``PartnerActivity`` events into its view (``GET /partners/{id}``).

``fold_activity`` is pure and idempotent (activity ids are deduped); ``to_view`` and
``section`` are the one JSON body of the live view and of ``replay --partner``. Lists
are sorted by content, not arrival, so the live topic's interleaving of several leads'
activities gives the same body as replay's event-time order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from projections.history import iso_z
from projections.partner_view.body import SECTIONS, section, to_view
from projections.partner_view.state import (
    CommissionLine,
    DisputeLine,
    Link,
    PartnerView,
    Refusal,
)
from schemas.partner_system_events import PartnerActivity, PartnerActivityData

LINK_STATUS = {"lead_returned": "returned", "lead_retained": "retained"}
LINK_STATUS |= {"lead_deleted": "deleted", "share_closed": "closed"}


def fold_activity(view: PartnerView | None, event: PartnerActivity) -> PartnerView:
    view = view or PartnerView(partner_id=event.subject)
    if event.subject != view.partner_id:  # a partner's view holds only its own activities
        raise ValueError(f"activity of {event.subject} cannot go into {view.partner_id}'s view")
    data = event.data
    if data.activity_id in view.seen:
        return view
    handler = KINDS.get(data.kind)
    if handler is not None:
        view = handler(view, data, iso_z(event.occurred_at))
    return replace(view, seen=view.seen | {data.activity_id})


def _details(data: PartnerActivityData) -> dict[str, str]:
    return data.details or {}


def _link_list(data: PartnerActivityData) -> str:
    return "shared" if _details(data).get("role") == "sender" else "received"


def _update_link(view: PartnerView, data: PartnerActivityData, **changes: Any) -> PartnerView:
    which = _link_list(data)
    share_id = _details(data).get("share_id")
    links = _replace_last(getattr(view, which), lambda link: link.share_id == share_id, changes)
    return _with_links(view, which, links)


def _replace_last(records: tuple[Any, ...], match: Callable[[Any], bool], changes: Any) -> Any:
    """The tuple with its last matching record changed. Searched from the end, since an
    activity is mostly about a recent share, and rebuilt by slicing: a partner's view
    grows with every share, and a scan of it per activity is what costs."""
    for index in range(len(records) - 1, -1, -1):
        if match(records[index]):
            changed = replace(records[index], **changes)
            return (*records[:index], changed, *records[index + 1 :])
    return records


def _with_links(view: PartnerView, which: str, links: tuple[Link, ...]) -> PartnerView:
    if which == "shared":
        return replace(view, shared=links)
    return replace(view, received=links)


def _new_link(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    details = _details(data)
    link = Link(
        share_id=details["share_id"],
        lead_id=data.lead_id or "",
        agreement_id=data.agreement_id or "",
        counterparty=data.counterparty or "",
        shared_at=at,
        respond_by=details.get("respond_by"),
    )
    which = _link_list(data)
    view = _with_links(view, which, (*getattr(view, which), link))
    targets = tuple(
        (link.agreement_id, key, details[key])
        for key in ("accept_within_hours", "min_conversion_rate", "max_follow_up_hours")
        if key in details
    )
    kept = tuple(t for t in view.targets if t[0] != link.agreement_id)
    return replace(view, targets=kept + targets) if targets else view


def _refused(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    refusal = Refusal(
        lead_id=data.lead_id or "",
        agreement_id=data.agreement_id or "",
        to_partner=data.counterparty or "",
        reasons=tuple(data.reasons or ()),
        at=at,
    )
    return replace(view, refused=(*view.refused, refusal))


def _responded(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    details = _details(data)
    accepted = details.get("accepted") == "true"
    return _update_link(
        view,
        data,
        status="accepted" if accepted else "rejected",
        accepted=accepted,
        responded_at=at,
        response_hours=float(details["response_hours"]),
        within_sla=details.get("within_sla") == "true",
    )


def _converted(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    """Either track's conversion; the follow-up it took counts from the acceptance."""
    share_id = _details(data).get("share_id")
    which = _link_list(data)
    link = next((s for s in reversed(getattr(view, which)) if s.share_id == share_id), None)
    hours = None
    if link is not None and link.responded_at is not None:
        hours = round((_parse(at) - _parse(link.responded_at)).total_seconds() / 3600, 2)
    changes: dict[str, Any] = {"converted": True, "converted_at": at, "hours_to_convert": hours}
    if track := _details(data).get("track"):
        changes["track"] = track
    return _update_link(view, data, **changes)


def _closed(view: PartnerView, data: PartnerActivityData, at: str, outcome: str) -> PartnerView:
    """The deal's outcome, for the receiver and for the generator that shared the lead."""
    changes: dict[str, Any] = {
        "outcome": outcome,
        "deal_amount": data.amount,
        "deal_currency": data.currency,
        "closed_at": at,
    }
    if outcome == "won":
        changes["won_amount"] = data.amount
    if track := _details(data).get("track"):
        changes["track"] = track
    return _update_link(view, data, **changes)


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


def _commission_accrued(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    details = _details(data)
    line = CommissionLine(
        commission_id=details["commission_id"],
        agreement_id=data.agreement_id or "",
        lead_id=data.lead_id or "",
        role="payer" if details.get("role") == "receiver" else "payee",
        counterparty=data.counterparty or "",
        amount=data.amount or 0.0,
        currency=data.currency or "",
        due_at=details.get("due_at", ""),
    )
    return replace(view, commissions=(*view.commissions, line))


def _update_line(view: PartnerView, data: PartnerActivityData, **changes: Any) -> PartnerView:
    wanted = _details(data).get("commission_id")
    lines = _replace_last(view.commissions, lambda line: line.commission_id == wanted, changes)
    return replace(view, commissions=lines)


_DISPUTE_STATUS = {True: "RESOLVED", False: "OPEN"}


def _dispute(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    details = _details(data)
    line = DisputeLine(
        dispute_id=data.dispute_id or "",
        agreement_id=data.agreement_id or "",
        lead_id=data.lead_id,
        step=details.get("step"),
        # the dispute fold's own words (OPEN, RESOLVED), whatever case the detail came in
        status=(details.get("status") or _DISPUTE_STATUS[data.kind == "dispute_resolved"]).upper(),
        outcome=details.get("outcome"),
    )
    kept = tuple(d for d in view.disputes if d.dispute_id != line.dispute_id)
    return replace(view, disputes=(*kept, line))


def _agreement_state(view: PartnerView, data: PartnerActivityData, at: str) -> PartnerView:
    state = _details(data).get("state", "")
    kept = tuple(a for a in view.agreements if a[0] != data.agreement_id)
    return replace(view, agreements=(*kept, (data.agreement_id or "", state)))


Handler = Callable[[PartnerView, PartnerActivityData, str], PartnerView]
KINDS: dict[str, Handler] = {
    "share_sent": _new_link,
    "share_received": _new_link,
    "share_refused": _refused,
    "responded": _responded,
    "response_overdue": lambda v, d, _: _update_link(v, d, response_overdue=True),
    "lead_converted": _converted,
    "opportunity_won": lambda v, d, at: _closed(v, d, at, "won"),
    "opportunity_lost": lambda v, d, at: _closed(v, d, at, "lost"),
    "commission_accrued": _commission_accrued,
    "commission_paid": lambda v, d, _: _update_line(v, d, paid=float(_details(d)["paid_total"])),
    "commission_overdue": lambda v, d, _: _update_line(v, d, overdue=True),
    "erasure_overdue": lambda v, d, _: _update_link(v, d, erasure="overdue"),
    "erasure_confirmed": lambda v, d, _: _update_link(v, d, erasure="confirmed"),
    "dispute_opened": _dispute,
    "dispute_step": _dispute,
    "dispute_resolved": _dispute,
    "agreement_state": _agreement_state,
}
for _kind, _status in LINK_STATUS.items():
    KINDS[_kind] = lambda v, d, _, s=_status: _update_link(  # type: ignore[misc]
        v, d, status=s, erasure="pending" if s == "deleted" else None
    )
KIND_NAMES = frozenset(KINDS)
"""Every activity kind the view understands; others are recorded as seen and ignored."""


__all__ = ["KIND_NAMES", "SECTIONS", "fold_activity", "section", "to_view"]
