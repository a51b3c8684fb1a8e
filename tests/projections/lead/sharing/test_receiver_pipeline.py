"""The receiver's pipeline (issue 17): a partner that accepted a shared lead reports its
own conversion and deal, apart from the own organisation's SLA funnel; its won deal
accrues the commission under the share's terms, and both partners' views show it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.lead.state import state_from_json, state_to_json, to_view
from projections.partner_view.fold import fold_activity
from projections.partner_view.fold import to_view as partner_view
from projections.partner_view.state import PartnerView
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadConverted,
    LeadConvertedData,
    OpportunityClosed,
    OpportunityClosedData,
)
from tests.support.agreements import Agreement
from tests.support.partners import SharedLead, at, book, run, signed_agreement, terms

PERCENT = {"model": "percent", "rate": 10, "currency": "EUR", "payable_within_days": 30}
AGREEMENTS = book(signed_agreement(the_terms=terms(revenue_share=PERCENT)))


def external(event: Any, partner: str) -> Envelope:
    """As admission forwards it from ``partner``'s own topic: source and kind stamped."""
    stamped: Envelope = event.model_copy(update={"source": partner, "source_kind": "external"})
    return stamped


def converted(lead: SharedLead, when: Any, by: str = "rec", opportunity: str | None = "O1") -> Any:
    data = LeadConvertedData(contact_id="C1", account_id="A1", opportunity_id=opportunity)
    return external(LeadConverted(**lead.env("converted", when), data=data), by)


def closed(lead: SharedLead, when: Any, won: bool = True, by: str = "rec", **more: Any) -> Any:
    body = {"opportunity_id": "O1", "won": won, "amount": 20000.0, "currency": "EUR", **more}
    data = OpportunityClosedData(**body)
    return external(OpportunityClosed(**lead.env("closed", when), data=data), by)


def accepted(lead: SharedLead, **changes: Any) -> list[Envelope]:
    """Captured by gen (RAW: its own funnel never moves), shared to rec, accepted."""
    return [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        external(lead.responded(at(3)), "rec"),
    ]


def test_accepted_converted_won_accrues_the_commission_under_the_shares_terms() -> None:
    lead = SharedLead()
    result = run([*accepted(lead), converted(lead, at(5)), closed(lead, at(10))], AGREEMENTS)
    assert result.rejections == []
    assert result.lead.status == "RAW"  # the own organisation's funnel is untouched
    (share,) = result.lead.shares
    assert (share.pipeline, share.opportunity_id, share.deal_amount) == ("won", "O1", 20000.0)
    assert (share.converted_at, share.closed_at) == (at(5), at(10))
    (commission,) = result.lead.commissions
    assert (commission.payer, commission.payee, commission.amount) == ("rec", "gen", 2000.0)
    assert commission.due_at == at(10) + timedelta(days=30)
    assert [a.data.amount for a in result.of_type("CommissionAccrued")] == [2000.0]
    assert [c.rule for c in result.lead.clocks] == ["RETENTION_EXPIRED", "COMMISSION_OVERDUE"]
    for partner in ("gen", "rec"):
        kinds = [a.data.kind for a in result.activities(partner)]
        assert kinds[-3:] == ["lead_converted", "opportunity_won", "commission_accrued"]
    shown = to_view(result.lead)["shares"][0]["receiver_pipeline"]
    assert shown == {
        "stage": "won",
        "opportunity_id": "O1",
        "amount": 20000.0,
        "currency": "EUR",
        "converted_at": "2026-11-02T14:00:00Z",
        "closed_at": "2026-11-02T19:00:00Z",
    }


def test_a_lost_deal_accrues_nothing_and_both_partners_see_it() -> None:
    lead = SharedLead()
    lost = [*accepted(lead), converted(lead, at(5)), closed(lead, at(10), won=False)]
    result = run(lost, AGREEMENTS)
    assert result.rejections == []
    assert result.lead.shares[0].pipeline == "lost"
    assert result.lead.commissions == ()
    for partner in ("gen", "rec"):
        assert [a.data.kind for a in result.activities(partner)][-1] == "opportunity_lost"


def test_the_commission_goes_overdue_unless_the_receiver_pays_it() -> None:
    lead = SharedLead()
    won = [*accepted(lead), converted(lead, at(5)), closed(lead, at(10))]
    due = at(10) + timedelta(days=30)
    unpaid = run(won, AGREEMENTS, until=due + timedelta(days=1))
    assert ("COMMISSION_OVERDUE", due, ["gen", "rec"]) in unpaid.escalations()
    paid = run([*won, external(lead.paid(at(20), 2000), "rec")], AGREEMENTS, until=due)
    assert paid.rejections == []
    assert [e for e in paid.escalations() if e[0] == "COMMISSION_OVERDUE"] == []


def test_a_third_partner_may_not_report_and_the_reason_names_both() -> None:
    lead = SharedLead()
    result = run([*accepted(lead), converted(lead, at(5), by="globex")], AGREEMENTS)
    (reason,) = result.rejections
    assert "globex" in reason
    assert "rec" in reason
    assert "L1" in reason
    assert result.lead.shares[0].pipeline is None
    assert result.activities("globex") == []
    deal = run([*accepted(lead), converted(lead, at(5)), closed(lead, at(6), by="globex")])
    assert len(deal.rejections) == 1
    assert "globex" in deal.rejections[0]
    assert deal.lead.commissions == ()


def test_the_generator_and_a_receiver_yet_to_accept_may_not_report_either() -> None:
    lead = SharedLead()
    by_generator = run([*accepted(lead), converted(lead, at(5), by="gen")], AGREEMENTS)
    (reason,) = by_generator.rejections
    assert "gen is not a receiver holding it" in reason
    assert "only rec" in reason
    pending = [lead.captured(), lead.consent(at(1)), lead.shared(at(2)), converted(lead, at(5))]
    (reason,) = run(pending, AGREEMENTS).rejections
    assert "rec has not accepted the share yet" in reason


def test_the_pipeline_runs_in_order_once() -> None:
    lead = SharedLead()
    before = run([*accepted(lead), closed(lead, at(5))], AGREEMENTS)
    assert before.rejections == [
        "rec has no open opportunity on lead L1: it reports LeadConverted first"
    ]
    twice = run([*accepted(lead), converted(lead, at(5)), converted(lead, at(6))], AGREEMENTS)
    assert twice.rejections == [
        "rec already reported lead L1 converted (its pipeline is converted)"
    ]
    other = run([*accepted(lead), converted(lead, at(5)), closed(lead, at(6), opportunity_id="O9")])
    assert other.rejections == ["rec converted lead L1 with opportunity O1, not O9"]
    again = [*accepted(lead), converted(lead, at(5)), closed(lead, at(6)), closed(lead, at(7))]
    result = run(again, AGREEMENTS)
    assert result.rejections == ["rec's deal on lead L1 is already closed won"]
    assert len(result.lead.commissions) == 1


def test_an_opportunity_attached_later_is_the_one_closed() -> None:
    lead = SharedLead()
    events = [*accepted(lead), converted(lead, at(5), opportunity=None), closed(lead, at(9))]
    result = run(events, AGREEMENTS)
    assert result.rejections == []
    assert result.lead.shares[0].opportunity_id == "O1"


def test_the_own_funnel_keeps_its_rules_for_internal_and_operator_events() -> None:
    lead = SharedLead()
    internal = converted(lead, at(5)).model_copy(update={"source_kind": "internal"})
    operator = converted(lead, at(5)).model_copy(update={"source_kind": None})
    for event in (internal, operator):
        result = run([*accepted(lead), event], AGREEMENTS)
        assert result.rejections == ["illegal transition RAW -> CONVERTED (only an SQL converts)"]
        assert result.lead.shares[0].pipeline is None


def test_a_retained_share_closes_with_the_receivers_deal() -> None:
    lead = SharedLead()
    the_terms = terms(
        revenue_share=PERCENT, termination={"outstanding_leads": "retain_until_closed"}
    )
    agreements = book(signed_agreement(the_terms=the_terms))
    events = [*accepted(lead), converted(lead, at(5)), lead.released(at(6)), closed(lead, at(9))]
    result = run(events, agreements)
    assert result.rejections == []
    assert result.lead.shares[0].status == "closed"
    assert result.lead.commissions[0].amount == 2000.0


def test_the_pipeline_survives_the_table_codec() -> None:
    lead = SharedLead()
    state = run([*accepted(lead), converted(lead, at(5)), closed(lead, at(10))], AGREEMENTS).lead
    assert state_from_json(state_to_json(state)) == state


def views(activities: list[Any], partner: str) -> dict[str, Any]:
    view = None
    for event in activities:
        if event.subject == partner:
            view = fold_activity(view, event)
    return partner_view(view or PartnerView(partner))


def test_both_views_count_the_receivers_deal() -> None:
    lead = SharedLead()
    the_terms = terms(revenue_share=PERCENT, kpis={"min_conversion_rate": 0.5})
    agreements = book(signed_agreement(the_terms=the_terms))
    won = run([*accepted(lead), converted(lead, at(5)), closed(lead, at(10))], agreements)
    rec = views(won.activities(), "rec")
    overall = rec["kpis"]["overall"]
    assert (overall["converted"], overall["conversion_rate"], overall["won"]) == (1, 1.0, 1)
    assert overall["median_hours_to_convert"] == 2.0  # accepted at(3), converted at(5)
    assert rec["kpis"]["by_agreement"]["AG1"]["meets"] == {"conversion_rate": True}
    assert rec["commission_owed"] == 2000.0
    gen = views(won.activities(), "gen")
    (sent,) = gen["shared_detail"]
    assert (sent["outcome"], sent["deal_amount"], sent["deal_currency"]) == ("won", 20000.0, "EUR")
    assert (sent["track"], sent["converted"], sent["won_amount"]) == ("receiver", True, 20000.0)
    assert gen["commission_receivable"] == 2000.0
    assert gen["kpis"]["overall"]["shares_received"] == 0  # the KPIs are the receiver's


def test_replay_of_the_log_decides_as_the_fold() -> None:
    """The auditor's replay, agreements and all, gives the state the fold gave."""
    lead, deal = SharedLead(), Agreement("AG1")
    log = [
        deal.proposed(at(-2), the_terms=terms(revenue_share=PERCENT)),
        *deal.signed_by_all(at(-1)),
        *accepted(lead),
        converted(lead, at(5)),
        closed(lead, at(10)),
        converted(lead, at(11), by="globex"),
    ]
    result = replay(log, at(12), Policy())
    agreement = result.agreements.get("AG1")
    assert agreement is not None
    folded = run([e for e in log if e.subject == "L1"], book(agreement))
    assert result.leads["L1"] == folded.lead
    assert [r for _, r in result.rejections] == folded.rejections
    gen = partner_view(result.partners["gen"])
    assert gen["shared_detail"][0]["outcome"] == "won"
    # the same view, but for the agreement's own activities, which the lead fold never sends
    assert {**gen, "agreements": {}} == views(folded.activities(), "gen")
