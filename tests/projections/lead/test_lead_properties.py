"""Properties of the lead fold over generated logs (hypothesis).

Folding a log twice equals once; duplicates anywhere change nothing; a log split in two
and folded in turn (with the state stored as JSON between, as the worker's table does)
equals the whole; every status reached is reachable by the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.lead.fold import LeadState, advance, evolve, state_from_json, state_to_json
from projections.lead.rules import ALL_STATUSES, DECISIONS
from projections.policy import LeadQualTeam, Policy
from schemas.envelope import Envelope
from tests.support.leads import Lead, at

STATUSES = ["MAQL", "BDM_CONNECTED", "MQL", "SAL", "SQL", "DISQUALIFIED", "JUNK", "REMARKET"]
ACTIVITIES = ["web_visit", "webinar", "demo_request", "contact_us", "request_quote"]
POLICIES = [Policy(sales_roster=["r1", "r2"]), Policy(lead_qual_team=LeadQualTeam(enabled=True))]

Make = Callable[[Lead, datetime], Envelope]


def _activity(name: str, points: int | None) -> Make:
    return lambda lead, when: lead.activity(when, name, points)


def _adjusted(points: int) -> Make:
    return lambda lead, when: lead.adjusted(when, points)


def _assigned(owner: str) -> Make:
    return lambda lead, when: lead.assigned(when, owner)


def _status(to: str) -> Make:
    return lambda lead, when: lead.status(when, to)


def _converted(opportunity: str | None) -> Make:
    return lambda lead, when: lead.converted(when, opportunity)


step: st.SearchStrategy[Make] = st.one_of(
    st.builds(_activity, st.sampled_from(ACTIVITIES), st.none() | st.integers(-10, 60)),
    st.builds(_adjusted, st.integers(-40, 40)),
    st.builds(_assigned, st.sampled_from(["r1", "r2", "r3"])),
    st.builds(_status, st.sampled_from(STATUSES)),
    st.builds(_converted, st.sampled_from([None, "opp-1"])),
)


@st.composite
def logs(draw: st.DrawFn) -> list[Envelope]:
    lead = Lead("P1")
    events: list[Envelope] = [lead.captured()]
    hours = 0.0
    for make in draw(st.lists(step, max_size=25)):
        hours += draw(st.floats(0, 80))
        events.append(make(lead, at(hours)))
    return events


def fold(
    events: list[Envelope], policy: Policy, state: LeadState | None = None
) -> tuple[LeadState | None, list[str]]:
    ids: list[str] = []
    for event in events:
        outcome = evolve(state, event, policy)
        state = outcome.state
        ids.extend(e.event_id for e in outcome.emitted)
    return state, ids


@settings(max_examples=150)
@given(logs(), st.sampled_from(POLICIES))
def test_folding_twice_equals_once(events: list[Envelope], policy: Policy) -> None:
    once = fold(events, policy)
    assert fold(events + events, policy) == once
    assert fold([e for event in events for e in (event, event)], policy) == once


@settings(max_examples=150)
@given(logs(), st.sampled_from(POLICIES), st.data())
def test_duplicates_anywhere_change_nothing(
    events: list[Envelope], policy: Policy, data: st.DataObject
) -> None:
    extra = data.draw(st.lists(st.sampled_from(events), max_size=5))
    mixed = list(events)
    for duplicate in extra:
        # Only after the original: an id seen later is a new event to the fold.
        position = data.draw(st.integers(events.index(duplicate) + 1, len(events)))
        mixed.insert(
            position + sum(1 for e in mixed[:position] if e in extra and e is not duplicate),
            duplicate,
        )
    assert fold(mixed, policy)[0] == fold(events, policy)[0]


@settings(max_examples=150)
@given(logs(), st.sampled_from(POLICIES), st.data())
def test_split_log_folded_in_turn_equals_whole(
    events: list[Envelope], policy: Policy, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(1, len(events)))
    first, first_ids = fold(events[:cut], policy)
    assert first is not None
    stored = state_from_json(state_to_json(first))  # what the worker's table keeps
    second, second_ids = fold(events[cut:], policy, stored)
    assert (second, first_ids + second_ids) == fold(events, policy)


@settings(max_examples=150)
@given(logs(), st.sampled_from(POLICIES))
def test_every_status_is_reachable_by_the_rules(events: list[Envelope], policy: Policy) -> None:
    state, _ = fold(events, policy)
    assert state is not None
    state = advance(state, at(days=400), policy).state
    assert state is not None
    automatic = {
        ("RAW", "INQUIRY"),
        ("INQUIRY", "MQL"),
        ("INQUIRY", "MAQL"),
        ("REMARKET", "MQL"),
        ("DISQUALIFIED", "INQUIRY"),
        ("JUNK", "INQUIRY"),
        ("SQL", "CONVERTED"),
        ("SQL", "OPPORTUNITY"),
    }
    for change in state.history:
        if change.kind == "status":
            assert change.after in ALL_STATUSES
            pair = (change.before, change.after)
            assert pair in automatic or change.after in DECISIONS.get(str(change.before), ()), pair
    assert all(c.due_at - c.started_at > timedelta(0) for c in state.clocks)
