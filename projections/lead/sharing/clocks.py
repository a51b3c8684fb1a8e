"""What the partner clocks do when they run out: alert both partners.

``PARTNER_NOT_RESPONDED`` (the receiver did not answer within ``accept_within_hours``),
``COMMISSION_OVERDUE`` (not fully paid within ``payable_within_days``) and
``ERASURE_OVERDUE`` (a deleted lead's erasure, or an erasure request, not confirmed in
time) and ``RETENTION_EXPIRED`` (a shared lead kept past the agreement's
``retention_days``). The notify list names the partners themselves: each partner's
owner is reached through its partner id.
"""

from __future__ import annotations

from collections.abc import Callable

from projections.history import Clock
from projections.lead.partners import Share
from projections.lead.privacy.obligations import share_of
from projections.lead.sharing.emit import both
from projections.lead.sharing.fold import RETENTION_CLOCK
from projections.lead.step import Step


def _key(clock: Clock) -> str:
    return clock.clock_id.split(":", 1)[1]


def _escalate(
    step: Step,
    clock: Clock,
    share: Share,
    kind: str,
    details: dict[str, str],
    *,
    also_notify: tuple[str, ...] = (),
) -> None:
    step.escalate(
        clock,
        None,
        {
            "lead_id": step.state.lead_id,
            "agreement_id": share.agreement_id,
            "from_partner": share.from_partner,
            "to_partner": share.to_partner,
            **details,
        },
        notify=[share.from_partner, share.to_partner, *also_notify],
    )
    both(step, share, kind, details={"rule": clock.rule, **details})


def not_responded(step: Step, clock: Clock) -> None:
    share = next(s for s in step.state.shares if s.share_id == _key(clock))
    _escalate(step, clock, share, "response_overdue", {"share_id": share.share_id})


def commission_overdue(step: Step, clock: Clock) -> None:
    commission = next(c for c in step.state.commissions if c.commission_id == _key(clock))
    share = next(
        s
        for s in step.state.shares
        if s.agreement_id == commission.agreement_id and s.to_partner == commission.payer
    )
    _escalate(
        step,
        clock,
        share,
        "commission_overdue",
        {
            "commission_id": commission.commission_id,
            "balance": str(commission.balance),
            "currency": commission.currency,
        },
    )


def obligation_overdue(step: Step, clock: Clock) -> None:
    """A deletion not confirmed in time (``ERASURE_OVERDUE`` or ``RETENTION_EXPIRED``).
    The data-protection owners hear of an erasure request's or retention's lateness;
    the termination-``delete`` one stays between the partners, as its agreement says."""
    obligation = next(o for o in step.state.obligations if o.obligation_id == _key(clock))
    share = share_of(step.state, obligation)
    details = {"obligation_id": obligation.obligation_id}
    if obligation.request_id:
        details |= {"request_id": obligation.request_id, "regime": obligation.regime or ""}
    also = () if obligation.kind == "erasure" else tuple(step.policy.privacy.notify)
    kind = "retention_expired" if clock.rule == RETENTION_CLOCK else "erasure_overdue"
    _escalate(step, clock, share, kind, details, also_notify=also)


PARTNER_CLOCKS: dict[str, Callable[[Step, Clock], None]] = {
    "PARTNER_NOT_RESPONDED": not_responded,
    "COMMISSION_OVERDUE": commission_overdue,
    "ERASURE_OVERDUE": obligation_overdue,
    RETENTION_CLOCK: obligation_overdue,
}
