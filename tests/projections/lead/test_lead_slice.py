"""The first slice of the lead fold: capture, activity scoring, idempotency, JSON state."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.lead.fold import LeadState, evolve, state_from_json, state_to_json, to_view
from projections.policy import Policy, PolicyError, load_policy
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadCaptured,
    LeadCapturedData,
    Person,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
POLICY = Policy()


def captured(lead: str = "L1") -> LeadCaptured:
    return LeadCaptured(
        event_id=f"{lead}-c",
        subject=lead,
        occurred_at=T0,
        source="p",
        data=LeadCapturedData(person=Person(email="a@example.com")),
    )


def activity(n: int, name: str = "web_visit", points: int | None = None) -> LeadActivity:
    return LeadActivity(
        event_id=f"L1-a{n}",
        subject="L1",
        occurred_at=T0 + timedelta(minutes=n),
        source="p",
        data=LeadActivityData(activity=name, points=points),
    )


def fold(events: list[Envelope]) -> LeadState | None:
    state: LeadState | None = None
    for event in events:
        state = evolve(state, event, POLICY).state
    return state


def test_capture_starts_raw_with_zero_points() -> None:
    state = fold([captured()])
    assert state is not None
    assert (state.status, state.score, state.owner) == ("RAW", 0, None)


def test_first_response_makes_an_inquiry_and_policy_points_apply() -> None:
    state = fold([captured(), activity(1, "webinar")])
    assert state is not None
    assert state.status == "INQUIRY"
    assert state.score == POLICY.activity_points["webinar"]
    assert [c.rule for c in state.history if c.kind == "status"] == ["first response"]


def test_explicit_points_win_over_the_table() -> None:
    state = fold([captured(), activity(1, "webinar", points=4)])
    assert state is not None
    assert state.score == 4


def test_activity_for_unknown_lead_is_rejected() -> None:
    outcome = evolve(None, activity(1), POLICY)
    assert outcome.rejection is not None
    assert "unknown lead" in outcome.rejection
    assert outcome.state is None


def test_second_capture_is_rejected_and_changes_nothing() -> None:
    state = fold([captured()])
    assert state is not None
    outcome = evolve(state, captured().model_copy(update={"event_id": "other"}), POLICY)
    assert outcome.rejection is not None
    assert outcome.state is not None
    # Nothing of the lead changes; only the refused id is remembered (redelivery = no-op).
    assert replace(outcome.state, seen=state.seen, digests=state.digests) == state
    assert "other" in outcome.state.seen
    assert evolve(
        outcome.state, captured().model_copy(update={"event_id": "other"}), POLICY
    ).duplicate


@given(st.lists(st.integers(1, 40), max_size=12), st.lists(st.integers(-20, 50), max_size=12))
def test_folding_every_event_twice_equals_once(minutes: list[int], points: list[int]) -> None:
    events: list[Envelope] = [captured()]
    events += [activity(m, points=p) for m, p in zip(minutes, points, strict=False)]
    twice = [e for event in events for e in (event, event)]
    assert fold(twice) == fold(events)


def test_state_json_round_trip_and_view() -> None:
    state = fold([captured(), activity(1, points=9)])
    assert state is not None
    assert state_from_json(state_to_json(state)) == state
    view = to_view(state)
    assert view["score"] == 9
    assert view["history"][0]["at"].endswith("Z")


def test_policy_file_error_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("mql_threshold = 0\n")
    with pytest.raises(PolicyError, match="mql_threshold"):
        load_policy(path)
    path.write_text("no_such_key = 1\n")
    with pytest.raises(PolicyError, match="no_such_key"):
        load_policy(path)
