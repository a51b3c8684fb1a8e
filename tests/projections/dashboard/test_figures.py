"""The dashboard's pure figures: time to breach, the owner at the time of a breach,
the seven-day window, the funnel order, reason kinds, and a partner's own figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projections.dashboard.figures import (
    breaches_this_week,
    funnel,
    open_clocks,
    owner_at,
    partner_figures,
)
from projections.dashboard.reasons import reason_kind
from projections.history import Change, Clock
from projections.lead.state import LeadState

NOW = datetime(2026, 11, 12, 12, 0, tzinfo=UTC)


def _clock(rule: str, due: datetime) -> Clock:
    return Clock(rule, f"{rule}:1", due - timedelta(hours=1), due, "v")


def test_open_clocks_nearest_first_and_overdue_negative() -> None:
    leads = [
        LeadState(
            "a", owner="rep-1", clocks=(_clock("MQL_NOT_ACCEPTED", NOW + timedelta(hours=5)),)
        ),
        LeadState("b", clocks=(_clock("MQL_NOT_ASSIGNED", NOW - timedelta(minutes=2)),)),
        LeadState("c", clocks=(_clock("MQL_NOT_ACCEPTED", NOW + timedelta(hours=1)),)),
    ]
    clocks = open_clocks(leads, NOW)
    assert [r["lead_id"] for r in clocks["nearest"]] == ["b", "c", "a"]
    assert clocks["nearest"][0]["seconds_to_breach"] == -120
    assert clocks["nearest"][0]["owner"] == "unassigned"
    assert clocks["by_rule"] == [
        {"rule": "MQL_NOT_ACCEPTED", "open": 2, "next_breach_seconds": 3600},
        {"rule": "MQL_NOT_ASSIGNED", "open": 1, "next_breach_seconds": -120},
    ]


def test_a_breach_counts_for_the_owner_then_not_now() -> None:
    history = (
        Change(NOW - timedelta(days=3), "owner", None, "rep-1", "e1", "assigned"),
        Change(NOW - timedelta(days=1), "owner", "rep-1", "rep-2", "clock", "reassigned"),
    )
    lead = LeadState("a", owner="rep-2", history=history)
    assert owner_at(lead, NOW - timedelta(days=2)) == "rep-1"
    assert owner_at(lead, NOW - timedelta(days=4)) == "unassigned"
    rows = [
        {"rule": "SAL_NOT_CONVERTED", "subject": "a", "due_at": "2026-11-10T12:00:00Z"},
        {"rule": "SAL_NOT_CONVERTED", "subject": "a", "due_at": "2026-11-01T12:00:00Z"},  # old
        {"rule": "AGREEMENT_EXPIRING", "subject": "AG-1", "due_at": "2026-11-11T12:00:00Z"},
    ]
    breaches = breaches_this_week(rows, {"a": lead}, NOW)
    assert breaches["total"] == 2
    assert breaches["by_rule_owner"] == [
        {"rule": "AGREEMENT_EXPIRING", "owner": "-", "count": 1},
        {"rule": "SAL_NOT_CONVERTED", "owner": "rep-1", "count": 1},
    ]


def test_funnel_in_the_funnels_order() -> None:
    leads = [
        LeadState(str(i), status=s) for i, s in enumerate(["SAL", "RAW", "SAL", "MQL", "NEW?"])
    ]
    assert funnel(leads) == [
        {"status": "RAW", "count": 1},
        {"status": "MQL", "count": 1},
        {"status": "SAL", "count": 2},
        {"status": "NEW?", "count": 1},
    ]


def test_reasons_lose_the_lead_ids_but_keep_their_meaning() -> None:
    assert reason_kind("score 5 is below the minimum 40") == "score below minimum"
    assert reason_kind("lead L-1 is already with globex") == "already with that partner"
    assert reason_kind("something new") == "something new"


def test_a_partners_figures_come_from_its_own_view_only() -> None:
    body = {
        "partner_id": "globex",
        "received": ["L-1"],
        "shared": [],
        "pending_responses": [
            {
                "lead_id": "L-2",
                "agreement_id": "AG-1",
                "respond_by": "2026-11-12T10:00:00Z",
                "overdue": True,
            },
            {
                "lead_id": "L-3",
                "agreement_id": "AG-1",
                "respond_by": "2026-11-12T18:00:00Z",
                "overdue": False,
            },
        ],
        "kpis": {
            "by_agreement": {},
            "by_week": {"2026-W46": {"median_follow_up_hours": 3.0, "answered": 2}},
        },
        "rejected_shares": [
            {"lead_id": "L-9", "to_partner": "x", "reasons": ["unknown agreement AG-9"]}
        ],
        "received_detail": [{"accepted": False}],
    }
    figures = partner_figures(body, NOW)
    assert [p["seconds_to_breach"] for p in figures["pending_responses"]] == [-7200, 21600]
    assert figures["overdue_responses"] == 1
    assert figures["follow_up"] == [{"week": "2026-W46", "median_hours": 3.0, "count": 2}]
    assert {r["reason"] for r in figures["rejections"]} == {
        "share refused: unknown agreement",
        "declined by the receiver",
    }
