"""Properties of the agreement fold over generated logs (hypothesis).

Folding a log with every event delivered twice equals folding it once; a log folded in
two halves with the state stored as JSON between (as the worker's table does) equals
the whole; and advancing the clocks at arbitrary moments between events (the live
timer) ends where replay's event-driven advance ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import advance_agreement, evolve_agreement
from projections.agreement.state import AgreementState
from schemas.envelope import Envelope
from tests.support.agreements import POLICY, T0, Agreement, at, terms

Make = Callable[[Agreement, datetime], Envelope]

MAKERS: list[Make] = [
    lambda ag, when: ag.signed(when, "gen"),
    lambda ag, when: ag.signed(when, "rec"),
    lambda ag, when: ag.amended(when, terms(auto_renew=True, expires_at=at(90))),
    lambda ag, when: ag.renewed(when, at(800)),
    lambda ag, when: ag.terminated(when, "rec"),
    lambda ag, when: ag.share(when, "L1"),
    lambda ag, when: ag.share(when, "L2", "accepted"),
    lambda ag, when: ag.share(when, "L1", "closed"),
]

logs = st.lists(
    st.tuples(st.integers(0, len(MAKERS) - 1), st.integers(1, 400)), min_size=1, max_size=12
)


def _log(steps: list[tuple[int, int]]) -> list[Envelope]:
    ag = Agreement()
    first = terms(review_every_months=2, expires_at=at(120))
    days = sorted(day for _, day in steps)
    return [ag.proposed(T0, first)] + [
        MAKERS[index](ag, at(day)) for (index, _), day in zip(steps, days, strict=True)
    ]


def _fold(
    events: list[Envelope], state: AgreementState | None = None
) -> tuple[AgreementState | None, list[str]]:
    emitted: list[str] = []
    for event in events:
        outcome = evolve_agreement(state, event, POLICY)
        state = outcome.state
        emitted += [e.event_id for e in outcome.emitted]
    return state, emitted


@settings(max_examples=60, deadline=None)
@given(logs)
def test_redelivery_changes_nothing(steps: list[tuple[int, int]]) -> None:
    events = _log(steps)
    once, emitted_once = _fold(events)
    twice, emitted_twice = _fold([e for event in events for e in (event, event)])
    assert twice == once
    assert emitted_twice == emitted_once


@settings(max_examples=60, deadline=None)
@given(logs, st.integers(0, 12))
def test_halves_with_a_json_round_trip_equal_the_whole(
    steps: list[tuple[int, int]], cut: int
) -> None:
    events = _log(steps)
    cut = min(cut, len(events) - 1) + 1
    whole, emitted_whole = _fold(events)
    first, emitted_first = _fold(events[:cut])
    assert first is not None
    second, emitted_second = _fold(events[cut:], agreement_from_json(agreement_to_json(first)))
    assert second == whole
    assert emitted_first + emitted_second == emitted_whole


@settings(max_examples=60, deadline=None)
@given(logs, st.lists(st.integers(1, 500), max_size=6))
def test_timer_advances_in_between_end_where_replay_ends(
    steps: list[tuple[int, int]], ticks: list[int]
) -> None:
    events = _log(steps)
    replayed, emitted_replay = _fold(events)
    assert replayed is not None
    end = advance_agreement(replayed, at(600), POLICY)
    emitted_replay += [e.event_id for e in end.emitted]
    state: AgreementState | None = None
    emitted_live: list[str] = []
    pending = sorted(at(tick) for tick in ticks)
    for event in events:
        while state is not None and pending and pending[0] <= event.occurred_at:
            outcome = advance_agreement(state, pending.pop(0), POLICY)
            state = outcome.state
            emitted_live += [e.event_id for e in outcome.emitted]
        outcome = evolve_agreement(state, event, POLICY)
        state = outcome.state
        emitted_live += [e.event_id for e in outcome.emitted]
    assert state is not None
    live_end = advance_agreement(state, at(600), POLICY)
    emitted_live += [e.event_id for e in live_end.emitted]
    assert live_end.state == end.state
    assert emitted_live == emitted_replay
