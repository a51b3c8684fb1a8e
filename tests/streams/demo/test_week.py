"""The demo's partner week, replayed offline (the auditors' replay, as the worker folds):
the counts ``leadledger demo`` promises, and the dashboard figures they give."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from projections.dashboard.figures import operator_figures
from projections.partner_view.fold import to_view
from projections.policy import Policy
from projections.replay import ReplayResult, replay
from streams.demo.week import LEADS, partner_week

NOW = datetime(2026, 11, 12, 9, 30, tzinfo=UTC)  # a Thursday


def _replayed() -> ReplayResult:
    week = partner_week(NOW, "t")
    return replay([*week.agreement_events, *week.lead_events], NOW, Policy())


def test_the_week_is_backdated_and_in_order() -> None:
    week = partner_week(NOW, "t")
    times = [e.occurred_at for e in week.lead_events]
    assert times == sorted(times)
    assert max(times) < NOW
    assert len({e.subject for e in week.lead_events}) == LEADS
    assert len({e.event_id for e in [*week.agreement_events, *week.lead_events]}) == len(
        week.agreement_events
    ) + len(week.lead_events)


def test_two_runs_share_no_event_id() -> None:
    first, second = partner_week(NOW, "a"), partner_week(NOW, "b")
    assert not {e.event_id for e in first.lead_events} & {e.event_id for e in second.lead_events}


def test_the_week_has_breaches_a_refused_share_and_an_erasure() -> None:
    result = _replayed()
    assert len(result.leads) == LEADS
    assert Counter(e.data.rule for e in result.escalations) == {
        "MQL_NOT_ASSIGNED": 10,
        "MQL_NOT_ACCEPTED": 8,
        "PARTNER_NOT_RESPONDED": 9,
    }
    assert [event_id for event_id, _ in result.rejections] == ["demo-t-lead-030-shared"]
    assert result.leads["demo-t-lead-035"].erasure is not None
    assert Counter(s.status for s in result.leads.values()) == {
        "INQUIRY": 40,
        "MQL": 30,
        "SAL": 89,
        "SQL": 11,
        "CONVERTED": 8,
        "REMARKET": 9,
        "DISQUALIFIED": 13,
    }


def test_the_dashboard_figures_of_the_week() -> None:
    result = _replayed()
    figures = operator_figures(
        result.leads.values(),
        result.escalation_rows(),
        [to_view(v) for v in result.partners.values()],
        NOW,
    )
    assert figures["breaches"]["total"] == 27
    assert figures["open_clocks"]["by_rule"][0] == {
        "rule": "MQL_NOT_ACCEPTED",
        "open": 12,
        "next_breach_seconds": figures["open_clocks"]["nearest"][0]["seconds_to_breach"],
    }
    (kpi,) = figures["partner_kpis"]
    assert (kpi["partner_id"], kpi["shares_received"], kpi["converted"]) == ("fabrikam", 30, 8)
    assert kpi["meets"] == {"conversion_rate": True, "follow_up": True}
    assert {r["reason"]: r["count"] for r in figures["rejections"]} == {
        "declined by the receiver": 5,
        "share refused: no sharing consent": 1,
        "share refused: score below minimum": 1,
    }
