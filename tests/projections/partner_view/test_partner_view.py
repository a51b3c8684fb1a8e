"""The per-partner view (design rule 8 and the view of issue element 8): folded from
the partner's own activities only, the same whatever the interleaving of leads."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from projections.partner_view.fold import fold_activity, section, to_view
from projections.partner_view.state import PartnerView, view_from_json, view_to_json
from schemas.partner_system_events import PartnerActivity
from tests.support.leads import Lead
from tests.support.partners import SharedLead, at, book, run, signed_agreement, terms

REVENUE = {"model": "percent", "rate": 10, "currency": "EUR"}
AGREEMENTS = book(
    signed_agreement(
        the_terms=terms(
            revenue_share=REVENUE, kpis={"min_conversion_rate": 0.5, "max_follow_up_hours": 8}
        )
    )
)


def fold_all(activities: Iterable[PartnerActivity], partner: str) -> PartnerView | None:
    view = None
    for event in activities:
        if event.subject == partner:
            view = fold_activity(view, event)
    return view


def won_and_paid_short(lead_id: str = "L1", offset: float = 0) -> list[PartnerActivity]:
    lead, life = SharedLead(lead_id), Lead(lead_id)
    events = [
        lead.captured(at(offset)),
        lead.consent(at(offset + 1)),
        lead.shared(at(offset + 2)),
        lead.responded(at(offset + 12)),
        life.activity(at(offset + 13), points=80),
        life.assigned(at(offset + 13.5), "rep-1"),
        life.status(at(offset + 14), "SAL"),
        life.status(at(offset + 15), "SQL"),
        life.converted(at(offset + 16), opportunity="O1"),
        lead.won(at(offset + 17), amount=20000),
        lead.paid(at(offset + 20), 1500),
    ]
    return run(events, AGREEMENTS).activities()


def test_receiver_and_generator_see_their_own_side() -> None:
    activities = won_and_paid_short()
    rec = to_view(fold_all(activities, "rec") or PartnerView("rec"))
    assert (rec["received"], rec["shared"], rec["pending_responses"]) == (["L1"], [], [])
    assert (rec["commission_owed"], rec["commission_paid"]) == (500.0, 1500.0)
    assert rec["commissions"][0]["status"] == "underpaid"
    overall = rec["kpis"]["overall"]
    assert (overall["acceptance_rate"], overall["conversion_rate"]) == (1.0, 1.0)
    assert (overall["median_follow_up_hours"], overall["response_sla_compliance"]) == (10.0, 1.0)
    per_agreement = rec["kpis"]["by_agreement"]["AG1"]
    assert per_agreement["meets"] == {"conversion_rate": True, "follow_up": False}
    assert per_agreement["targets"] == {
        "accept_within_hours": 48.0,
        "min_conversion_rate": 0.5,
        "max_follow_up_hours": 8.0,
    }
    assert list(rec["kpis"]["by_week"]) == ["2026-W45"]
    gen = to_view(fold_all(activities, "gen") or PartnerView("gen"))
    assert (gen["received"], gen["shared"]) == ([], ["L1"])
    assert (gen["commission_owed"], gen["commission_paid"]) == (0.0, 0.0)
    assert (gen["commission_receivable"], gen["commission_received"]) == (500.0, 1500.0)
    # the generator tracks the conversion its commission rests on; KPIs stay the receiver's
    (sent,) = gen["shared_detail"]
    assert (sent["converted"], sent["won_amount"]) == (True, 20000.0)
    assert gen["kpis"]["overall"]["shares_received"] == 0


def test_a_refused_share_is_only_in_the_senders_view() -> None:
    lead = SharedLead()
    activities = run([lead.captured(), lead.shared(at(1))]).activities()
    gen = to_view(fold_all(activities, "gen") or PartnerView("gen"))
    assert gen["rejected_shares"][0]["to_partner"] == "rec"
    assert "require consent" in gen["rejected_shares"][0]["reasons"][0]
    assert fold_all(activities, "rec") is None


def test_pending_response_and_overdue_flag() -> None:
    lead = SharedLead()
    activities = run(
        [lead.captured(), lead.consent(at(1)), lead.shared(at(2))], until=at(60)
    ).activities()
    rec = to_view(fold_all(activities, "rec") or PartnerView("rec"))
    assert rec["received"] == ["L1"]
    assert rec["pending_responses"][0]["overdue"] is True


def test_a_view_refuses_another_partners_activity() -> None:
    activities = won_and_paid_short()
    view = fold_all(activities, "rec")
    foreign = next(a for a in activities if a.subject == "gen")
    with pytest.raises(ValueError, match="cannot go into rec's view"):
        fold_activity(view, foreign)


def test_interleaving_of_leads_and_redelivery_do_not_change_the_view() -> None:
    first, second = won_and_paid_short("L1"), won_and_paid_short("L2", offset=30)
    in_order = to_view(fold_all([*first, *second], "rec") or PartnerView("rec"))
    interleaved = [a for pair in zip(second, first, strict=False) for a in pair]
    interleaved += first[len(second) :] + second[len(first) :]
    mixed = to_view(fold_all([*interleaved, *first], "rec") or PartnerView("rec"))
    assert mixed == in_order
    assert in_order["received"] == ["L1", "L2"]
    assert in_order["commission_owed"] == 1000.0


def test_codec_round_trip_and_sections() -> None:
    view = fold_all(won_and_paid_short(), "rec")
    assert view is not None
    assert view_from_json(view_to_json(view)) == view
    body = to_view(view)
    assert section(body, "kpis") == {"partner_id": "rec", "kpis": body["kpis"]}
    assert set(section(body, "commissions")) == {
        "partner_id",
        "commission_owed",
        "commission_paid",
        "commission_receivable",
        "commission_received",
        "commissions",
    }
