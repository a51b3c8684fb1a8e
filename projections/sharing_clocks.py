"""What the partner clocks do when they run out: alert both partners.

``PARTNER_NOT_RESPONDED`` (the receiver did not answer within ``accept_within_hours``),
``COMMISSION_OVERDUE`` (not fully paid within ``payable_within_days``) and
``ERASURE_OVERDUE`` (a deleted lead's erasure not confirmed in time). The notify list
names the partners themselves: each partner's owner is reached through its partner id.
"""

from __future__ import annotations

from collections.abc import Callable

from projections.lead_partners import Share
from projections.lead_state import Clock
from projections.lead_step import Step
from projections.sharing_emit import both


def _key(clock: Clock) -> str:
    return clock.clock_id.split(":", 1)[1]


def _escalate(step: Step, clock: Clock, share: Share, kind: str, details: dict[str, str]) -> None:
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
        notify=[share.from_partner, share.to_partner],
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


def erasure_overdue(step: Step, clock: Clock) -> None:
    obligation = next(o for o in step.state.obligations if o.obligation_id == _key(clock))
    share = next(
        s
        for s in step.state.shares
        if s.agreement_id == obligation.agreement_id
        and s.to_partner == obligation.partner_id
        and s.status == "deleted"
    )
    _escalate(step, clock, share, "erasure_overdue", {"obligation_id": obligation.obligation_id})


PARTNER_CLOCKS: dict[str, Callable[[Step, Clock], None]] = {
    "PARTNER_NOT_RESPONDED": not_responded,
    "COMMISSION_OVERDUE": commission_overdue,
    "ERASURE_OVERDUE": erasure_overdue,
}
