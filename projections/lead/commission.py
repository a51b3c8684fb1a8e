"""Revenue share (design rule 6) and the conversion facts the partner KPIs need.

A won opportunity on a lead a partner accepted (or retained after a termination)
accrues a commission: the receiver pays the generator, ``rate`` percent of the won
amount (``rate`` is in percent: 10 means 10 %) or ``rate`` flat, in the agreement's
currency, due ``payable_within_days`` later (``COMMISSION_OVERDUE``). ``CommissionPaid``
settles it; under- and over-payment stay visible as the commission's balance.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from projections.history import iso_z
from projections.ids import derived_id
from projections.lead.partners import Commission, Share
from projections.lead.sharing.emit import both, record_share, update_share
from projections.lead.sharing.fold import held_shares, terms_label
from projections.lead.step import Step
from projections.outcome import Refused
from schemas.agreement_events import CommissionPaid
from schemas.lead_events import LeadConverted, OpportunityClosed
from schemas.partner_system_events import CommissionAccrued, CommissionAccruedData

COMMISSION_CLOCK = "COMMISSION_OVERDUE"


def on_converted(step: Step, event: LeadConverted) -> None:
    # Both sides: the receiver's KPIs count it, and the generator tracks the conversions
    # its commission depends on (seed element 6: transparent conversion tracking);
    # otherwise the generator's shared_detail would say converted: false for a won lead.
    for share in held_shares(step):
        both(step, share, "lead_converted")


def on_opportunity_closed(step: Step, event: OpportunityClosed) -> None:
    data = event.data
    for share in held_shares(step):
        if data.won:
            both(step, share, "opportunity_won", amount=data.amount, currency=data.currency)
            if share.revenue_model is not None:
                accrue(step, share, data.opportunity_id, data.amount, data.currency)
        close_retained(step, share)


def close_retained(step: Step, share: Share) -> None:
    """A share kept until its lead's deal closed (``retain_until_closed``): now it has."""
    if share.status == "retained":
        record_share(step, update_share(step, share, status="closed"))
        both(step, share, "share_closed")


def commission_amount(share: Share, won_amount: float) -> float:
    if share.revenue_model == "percent":
        return round(won_amount * share.revenue_rate / 100, 2)
    return round(share.revenue_rate, 2)


def accrue(step: Step, share: Share, opportunity_id: str, won: float, won_currency: str) -> None:
    """The commission on one won deal under ``share``'s terms (its snapshot), once per
    opportunity, with its ``COMMISSION_OVERDUE`` clock."""
    assert share.currency is not None  # a revenue share always names its currency
    commission_id = derived_id(step.state.lead_id, share.share_id, opportunity_id, "commission")
    if any(c.commission_id == commission_id for c in step.state.commissions):
        return  # the same opportunity reported closed again earns nothing more
    commission = Commission(
        commission_id=commission_id,
        agreement_id=share.agreement_id,
        payer=share.to_partner,
        payee=share.from_partner,
        amount=commission_amount(share, won),
        currency=share.currency,
        accrued_at=step.at,
        due_at=step.at + timedelta(days=share.payable_within_days),
    )
    step.state = replace(step.state, commissions=(*step.state.commissions, commission))
    step.log(
        "commission",
        None,
        f"{commission.amount} {commission.currency}",
        f"{share.revenue_model} {share.revenue_rate} of won {won} {won_currency}",
    )
    step.start_clock(
        COMMISSION_CLOCK,
        key=commission.commission_id,
        due_at=commission.due_at,
        version=terms_label(share),
    )
    step.emit(
        CommissionAccrued,
        CommissionAccruedData(
            commission_id=commission.commission_id,
            agreement_id=commission.agreement_id,
            payer=commission.payer,
            payee=commission.payee,
            amount=commission.amount,
            currency=commission.currency,
            due_at=commission.due_at,
        ),
        commission.commission_id,
    )
    # No currency conversion: a percent of a deal won in another currency is recorded
    # with the deal's amount and currency beside it, for the partners to see.
    won_details = {"won_amount": str(won), "won_currency": won_currency}
    both(
        step,
        share,
        "commission_accrued",
        amount=commission.amount,
        currency=commission.currency,
        details={**_commission_details(commission), **won_details},
    )


def on_commission_paid(step: Step, event: CommissionPaid) -> None:
    data = event.data
    mine = [c for c in step.state.commissions if c.agreement_id == data.agreement_id]
    if not mine:
        raise Refused(
            f"no commission accrued on lead {step.state.lead_id} "
            f"under agreement {data.agreement_id}"
        )
    commission = next((c for c in mine if c.balance > 0), mine[-1])
    if data.currency != commission.currency:
        raise Refused(
            f"paid in {data.currency}; commission {commission.commission_id} "
            f"is in {commission.currency}"
        )
    paid = replace(commission, paid=round(commission.paid + data.amount, 2))
    step.state = replace(
        step.state,
        commissions=tuple(paid if c is commission else c for c in step.state.commissions),
    )
    step.log(
        "commission", str(commission.paid), str(paid.paid), f"paid {data.amount} {data.currency}"
    )
    if paid.balance <= 0:
        step.stop_clock(COMMISSION_CLOCK, "paid", key=paid.commission_id)
    share = next(
        s
        for s in step.state.shares
        if s.agreement_id == paid.agreement_id and s.to_partner == paid.payer
    )
    both(
        step,
        share,
        "commission_paid",
        amount=data.amount,
        currency=data.currency,
        details=_commission_details(paid),
    )


def _commission_details(commission: Commission) -> dict[str, str]:
    return {
        "commission_id": commission.commission_id,
        "accrued": str(commission.amount),
        "paid_total": str(commission.paid),
        "balance": str(commission.balance),
        "due_at": iso_z(commission.due_at),
        "payer": commission.payer,
        "payee": commission.payee,
    }
