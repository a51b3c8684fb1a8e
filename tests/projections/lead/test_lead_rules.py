"""Every lead rule of design/POLICY.md and the seed, one test each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projections.lead.rules import DECISIONS
from projections.policy import LeadQualTeam, Policy
from schemas.envelope import Envelope
from tests.support.leads import Lead, at, fold

TEAM = Policy(lead_qual_team=LeadQualTeam(enabled=True, maql_threshold=40))


def mql_lead(lead: Lead) -> list[Envelope]:
    """Captured, then one 80-point response: an MQL with no owner."""
    return [lead.captured(), lead.activity(at(1), "demo_request", points=80)]


def test_capture_is_raw_at_zero_owned_by_marketing() -> None:
    lead = fold([Lead().captured()]).lead
    assert (lead.status, lead.score, lead.owner) == ("RAW", 0, None)


def test_first_response_makes_inquiry_with_policy_points() -> None:
    lead = fold([(lead_ := Lead()).captured(), lead_.activity(at(1), "webinar")]).lead
    assert lead.status == "INQUIRY"
    assert lead.score == Policy().activity_points["webinar"]


def test_explicit_points_win() -> None:
    assert (
        fold([(lead_ := Lead()).captured(), lead_.activity(at(1), "webinar", points=3)]).lead.score
        == 3
    )


def test_score_75_stays_inquiry_76_becomes_mql_with_its_cause() -> None:
    lead_ = Lead()
    below = fold([lead_.captured(), lead_.activity(at(1), points=75)])
    assert below.lead.status == "INQUIRY"
    reached = fold(
        [*[lead_.captured(), lead_.activity(at(1), points=75)], lead_.adjusted(at(2), 1)]
    )
    assert reached.lead.status == "MQL"
    why = next(c for c in reached.lead.history if c.kind == "status" and c.after == "MQL")
    assert why.rule == "score 76 >= MQL threshold 76"
    assert why.cause.startswith("L1-adjusted")


def test_mql_notifies_marketing() -> None:
    folded = fold(mql_lead(Lead()))
    notes = [e for e in folded.emitted if e.type == "NotificationRaised"]
    assert [n.data.kind for n in notes] == ["mql_to_sales"]  # type: ignore[attr-defined]
    assert notes[0].data.notify == ["marketing"]  # type: ignore[attr-defined]


def test_mql_not_assigned_within_an_hour_escalates_at_due() -> None:
    events = mql_lead(Lead())
    assert fold(events, until=at(2) - timedelta(microseconds=1)).escalations() == []
    assert fold(events, until=at(2)).escalations() == [("MQL_NOT_ASSIGNED", at(2))]


def test_assignment_in_time_raises_nothing_and_starts_48h_acceptance() -> None:
    lead_ = Lead()
    folded = fold([*mql_lead(lead_), lead_.assigned(at(1.5), "rep-1")], until=at(1.5 + 47))
    assert folded.escalations() == []
    assert [c.rule for c in folded.lead.clocks] == ["MQL_NOT_ACCEPTED"]
    assert folded.lead.clocks[0].due_at == at(1.5 + 48)
    late = fold([*mql_lead(lead_), lead_.assigned(at(1.5), "rep-1")], until=at(60))
    assert late.escalations() == [("MQL_NOT_ACCEPTED", at(49.5))]


def test_each_breached_clock_escalates_once() -> None:
    lead_ = Lead()
    events = [*mql_lead(lead_), lead_.assigned(at(1.5), "rep-1")]
    folded = fold(events, until=at(500))
    assert [rule for rule, _ in folded.escalations()] == ["MQL_NOT_ACCEPTED"]
    again = fold([*events, lead_.activity(at(600), points=1)], until=at(900))
    assert [rule for rule, _ in again.escalations()] == ["MQL_NOT_ACCEPTED"]


def test_acceptance_in_time_starts_60_business_day_clock() -> None:
    lead_ = Lead()
    folded = fold([*mql_lead(lead_), lead_.assigned(at(1.5), "rep-1"), lead_.status(at(3), "SAL")])
    assert folded.lead.status == "SAL"
    (clock,) = folded.lead.clocks
    assert clock.rule == "SAL_NOT_CONVERTED"
    # Monday 2026-11-02 12:00 + 60 business days (no holidays) = Monday 2027-01-25 12:00.
    assert clock.due_at.isoformat() == "2027-01-25T12:00:00+00:00"
    assert clock.policy_version == Policy().version


def test_sal_not_converted_reassigns_round_robin_never_to_current_owner() -> None:
    lead_ = Lead()
    policy = Policy(sales_roster=["rep-1", "rep-2", "rep-3"])
    events = [*mql_lead(lead_), lead_.assigned(at(1.5), "rep-2"), lead_.status(at(3), "SAL")]
    folded = fold(events, policy, until=at(days=200))
    raised = [e for e in folded.emitted if e.type == "EscalationRaised"]
    assert raised[0].data.action == "reassign"  # type: ignore[attr-defined]
    assert raised[0].data.details["new_owner"] == "rep-3"  # type: ignore[attr-defined]
    assert folded.lead.owner != "rep-2"


def test_sal_not_converted_with_no_roster_alerts_only() -> None:
    lead_ = Lead()
    events = [*mql_lead(lead_), lead_.assigned(at(1.5), "rep-2"), lead_.status(at(3), "SAL")]
    folded = fold(events, until=at(days=120))
    raised = [e for e in folded.emitted if e.type == "EscalationRaised"]
    assert len(raised) == 1
    assert raised[0].data.action is None  # type: ignore[attr-defined]
    assert folded.lead.owner == "rep-2"


def test_conversion_satisfies_the_sal_clock() -> None:
    lead_ = Lead()
    events = [
        *mql_lead(lead_),
        lead_.assigned(at(1.5), "r"),
        lead_.status(at(3), "SAL"),
        lead_.status(at(5), "SQL"),
        lead_.converted(at(days=10), opportunity="opp-1"),
    ]
    folded = fold(events, until=at(days=300))
    assert folded.lead.status == "OPPORTUNITY"
    assert folded.escalations() == []


def test_remarket_deducts_50_keeps_owner_and_returns_as_mql_to_same_rep() -> None:
    lead_ = Lead()
    events = [*mql_lead(lead_), lead_.assigned(at(1.5), "rep-7"), lead_.status(at(3), "REMARKET")]
    remarketed = fold(events).lead
    assert (remarketed.status, remarketed.score, remarketed.owner) == ("REMARKET", 30, "rep-7")
    back = fold([*events, lead_.activity(at(100), "demo_request", points=46)])
    assert (back.lead.status, back.lead.owner) == ("MQL", "rep-7")
    assert [(c.rule, c.due_at) for c in back.lead.clocks] == [("MQL_NOT_ACCEPTED", at(148))]


def test_disqualified_score_is_zero_and_stays_until_a_form_reactivates() -> None:
    lead_ = Lead()
    events = [*mql_lead(lead_), lead_.assigned(at(1.5), "r"), lead_.status(at(3), "DISQUALIFIED")]
    frozen = fold([*events, lead_.activity(at(4), "webinar"), lead_.adjusted(at(5), 30)]).lead
    assert (frozen.status, frozen.score) == ("DISQUALIFIED", 0)
    back = fold([*events, lead_.activity(at(6), "request_quote", points=10)]).lead
    assert (back.status, back.score, back.owner) == ("INQUIRY", 10, None)


def test_junk_behaves_like_disqualified() -> None:
    lead_ = Lead()
    lead = fold(
        [*mql_lead(lead_), lead_.status(at(2), "JUNK"), lead_.activity(at(3), points=20)]
    ).lead
    assert (lead.status, lead.score) == ("JUNK", 0)


@pytest.mark.parametrize(
    ("start", "to"),
    [("INQUIRY", "SAL"), ("INQUIRY", "MQL"), ("MQL", "SQL"), ("SAL", "MAQL"), ("RAW", "SAL")],
)
def test_illegal_transitions_are_rejected_and_change_nothing(start: str, to: str) -> None:
    lead_ = Lead()
    setups: dict[str, list[Envelope]] = {
        "RAW": [lead_.captured()],
        "INQUIRY": [lead_.captured(), lead_.activity(at(1), points=5)],
        "MQL": mql_lead(lead_),
        "SAL": [*mql_lead(lead_), lead_.assigned(at(1.1), "r"), lead_.status(at(1.2), "SAL")],
    }
    setup = setups[start]
    before = fold(setup)
    after = fold([*setup, lead_.status(at(2), to)])
    assert before.lead.status == start
    assert after.rejections
    assert f"{start} -> {to}" in after.rejections[0] or "MAQL" in after.rejections[0]
    assert after.lead.status == start
    assert after.lead.history == before.lead.history


def test_allowed_transitions_table_matches_policy() -> None:
    assert DECISIONS["MQL"] >= {"SAL", "DISQUALIFIED", "REMARKET"}
    assert DECISIONS["SAL"] >= {"SQL", "DISQUALIFIED", "REMARKET"}
    assert DECISIONS["MAQL"] >= {"BDM_CONNECTED", "MQL", "DISQUALIFIED", "JUNK", "REMARKET"}


def test_conversion_only_from_sql() -> None:
    lead_ = Lead()
    folded = fold([*mql_lead(lead_), lead_.converted(at(2))])
    assert folded.rejections
    assert folded.lead.status == "MQL"


def test_events_for_unknown_leads_are_rejected() -> None:
    folded = fold([Lead().activity(at(1))])
    assert folded.state is None
    assert "unknown lead" in folded.rejections[0]


def test_lead_qual_team_path_maql_clock_72h() -> None:
    lead_ = Lead()
    events = [lead_.captured(), lead_.activity(at(1), points=45)]
    folded = fold(events, TEAM)
    assert folded.lead.status == "MAQL"
    assert fold(events, TEAM, until=at(73)).escalations() == [("MAQL_NOT_ACTIONED", at(73))]
    actioned = fold(
        [*events, lead_.status(at(2), "BDM_CONNECTED"), lead_.status(at(10), "MQL")],
        TEAM,
        until=at(200),
    )
    assert [r for r, _ in actioned.escalations()] == ["MQL_NOT_ASSIGNED"]


def test_manual_maql_needs_a_team() -> None:
    lead_ = Lead()
    base = [lead_.captured(), lead_.activity(at(1), points=5)]
    assert fold([*base, lead_.status(at(2), "MAQL")]).rejections
    assert fold([*base, lead_.status(at(2), "MAQL")], TEAM).lead.status == "MAQL"


def test_business_day_acceptance_clock_from_policy() -> None:
    policy = Policy.model_validate(
        {
            "clocks": {
                "MQL_NOT_ACCEPTED": {
                    "amount": 2,
                    "unit": "business_days",
                    "notify": ["sales-management"],
                }
            }
        }
    )
    lead_ = Lead()
    friday = at(days=4)
    events = [lead_.captured(), lead_.activity(friday, points=80), lead_.assigned(friday, "r")]
    (clock,) = fold(events, policy).lead.clocks
    assert clock.due_at == at(days=8)  # Friday + 2 business days = Tuesday


def test_duplicate_event_is_a_no_op() -> None:
    lead_ = Lead()
    events = mql_lead(lead_)
    once = fold(events)
    twice = fold([*events, events[1]])
    assert twice.state == once.state
    assert len(twice.emitted) == len(once.emitted)
