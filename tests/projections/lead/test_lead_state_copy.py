"""``with_changes`` is the fold's fast ``dataclasses.replace``: it must be the same."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from projections.history import Change, Clock
from projections.lead.state import LeadState, with_changes

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _state() -> LeadState:
    return LeadState(
        lead_id="L1",
        status="MQL",
        score=80,
        owner="rep-1",
        mql_at=AT,
        history=(Change(AT, "status", "RAW", "MQL", "e1", "score >= 75"),),
        clocks=(Clock("MQL_NOT_ASSIGNED", "MQL_NOT_ASSIGNED:e1", AT, AT, "v1"),),
        seen=frozenset({"e1"}),
    )


def test_with_changes_equals_replace_for_every_field() -> None:
    state = _state()
    assert with_changes(state) == replace(state)
    for f in fields(LeadState):
        value: Any = "changed" if f.type in ("str", "str | None") else getattr(state, f.name)
        changed = with_changes(state, **{f.name: value})
        assert changed == replace(state, **{f.name: value})
        assert getattr(changed, f.name) == value
    assert with_changes(state, score=3, owner=None) == replace(state, score=3, owner=None)


def test_with_changes_leaves_the_original_alone_and_stays_frozen() -> None:
    state = _state()
    changed = with_changes(state, score=1)
    assert state.score == 80
    assert changed.score == 1
    assert hash(changed) == hash(replace(state, score=1))
    with pytest.raises(AttributeError):
        changed.score = 2  # type: ignore[misc]


def test_with_changes_refuses_an_unknown_field_like_replace() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        with_changes(_state(), colour="red")
