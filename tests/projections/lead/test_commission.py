"""Revenue share (design rule 6): accrual on a won opportunity, the overdue clock, and
payments that settle it, short or over."""

from __future__ import annotations

from datetime import timedelta

from projections.agreement.state import AgreementBook
from schemas.envelope import Envelope
from tests.support.leads import Lead
from tests.support.partners import SharedLead, at, book, run, signed_agreement, terms

PERCENT = {"model": "percent", "rate": 10, "currency": "EUR", "payable_within_days": 30}


def to_opportunity(lead_id: str = "L1") -> list[Envelope]:
    """Lifecycle events that take a captured lead to OPPORTUNITY (hours 4-8)."""
    life = Lead(lead_id)
    return [
        life.activity(at(4), points=80),
        life.assigned(at(4.5), "rep-1"),
        life.status(at(6), "SAL"),
        life.status(at(7), "SQL"),
        life.converted(at(8), opportunity="O1"),
    ]


def accepted(
    lead: SharedLead, revenue: dict[str, object] | None = PERCENT, **more: object
) -> tuple[list[Envelope], AgreementBook]:
    agreements = book(signed_agreement(the_terms=terms(revenue_share=revenue, **more)))
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.responded(at(3)),
        *to_opportunity(),
    ]
    return events, agreements


def test_a_won_opportunity_on_an_accepted_share_accrues_the_percent() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    result = run([*events, lead.won(at(10), amount=20000)], agreements)
    (commission,) = result.lead.commissions
    assert (commission.payer, commission.payee, commission.amount, commission.currency) == (
        "rec",
        "gen",
        2000.0,
        "EUR",
    )
    assert commission.due_at == at(10) + timedelta(days=30)
    (accrued,) = result.of_type("CommissionAccrued")
    assert (accrued.subject, accrued.data.amount, accrued.data.commission_id) == (
        "L1",
        2000.0,
        commission.commission_id,
    )
    assert any(
        c.clock_id == f"COMMISSION_OVERDUE:{commission.commission_id}" for c in result.lead.clocks
    )
    kinds_rec = [a.data.kind for a in result.activities("rec")]
    assert kinds_rec == [
        "share_received",
        "responded",
        "retention_due",  # the receiver alone: its duty to delete
        "lead_converted",
        "opportunity_won",
        "commission_accrued",
    ]
    assert [a.data.kind for a in result.activities("gen")] == [
        "share_sent",
        "responded",
        "lead_converted",
        "opportunity_won",
        "commission_accrued",
    ]


def test_flat_commission_and_no_revenue_share() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead, {"model": "flat", "rate": 750, "currency": "USD"})
    assert run([*events, lead.won(at(10))], agreements).lead.commissions[0].amount == 750.0
    lead = SharedLead()
    events, agreements = accepted(lead, None)
    assert run([*events, lead.won(at(10))], agreements).lead.commissions == ()


def test_no_commission_unless_the_receiver_accepted_and_the_deal_was_won() -> None:
    lead = SharedLead()
    agreements = book(signed_agreement(the_terms=terms(revenue_share=PERCENT)))
    pending = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        *to_opportunity(),
        lead.won(at(10)),
    ]
    assert run(pending, agreements).lead.commissions == ()
    lead = SharedLead()
    events, agreements2 = accepted(lead)
    assert run([*events, lead.won(at(10), won=False)], agreements2).lead.commissions == ()


def test_paid_short_stays_owed_and_goes_overdue() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    short = [*events, lead.won(at(10)), lead.paid(at(20), 1500)]
    result = run(short, agreements, until=at(10) + timedelta(days=31))
    (commission,) = result.lead.commissions
    assert (commission.paid, commission.balance) == (1500.0, 500.0)
    assert result.escalations() == [
        ("COMMISSION_OVERDUE", at(10) + timedelta(days=30), ["gen", "rec"])
    ]
    paid = [a for a in result.activities("gen") if a.data.kind == "commission_paid"]
    assert (paid[0].data.details or {})["balance"] == "500.0"


def test_paid_in_full_or_over_settles_and_overpayment_shows() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    over = [*events, lead.won(at(10)), lead.paid(at(20), 1500), lead.paid(at(21), 600)]
    result = run(over, agreements, until=at(10) + timedelta(days=60))
    (commission,) = result.lead.commissions
    assert (commission.paid, commission.balance) == (2100.0, -100.0)
    assert result.escalations() == []


def test_payment_without_commission_or_in_another_currency_is_refused() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    result = run(
        [*events, lead.paid(at(9), 10), lead.won(at(10)), lead.paid(at(11), 10, currency="USD")],
        agreements,
    )
    assert result.rejections[0] == "no commission accrued on lead L1 under agreement AG1"
    assert result.rejections[1].startswith("paid in USD; commission")


def test_a_retained_share_closes_when_the_opportunity_closes() -> None:
    lead = SharedLead()
    events, agreements = accepted(
        lead, PERCENT, termination={"outstanding_leads": "retain_until_closed"}
    )
    retained = [*events, lead.released(at(9))]
    assert run(retained, agreements).lead.shares[0].status == "retained"
    result = run([*retained, lead.won(at(10))], agreements)
    assert result.lead.shares[0].status == "closed"
    assert result.lead.commissions[0].amount == 2000.0  # retained until closed: still earns
    assert [r.data.status for r in result.of_type("ShareRecorded")][-1] == "closed"
