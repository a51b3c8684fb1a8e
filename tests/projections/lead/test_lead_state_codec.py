"""The lead table codec (orjson, with the stdlib for what orjson cannot keep) reads
and writes what the stdlib codec did, so a table written before still loads."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime

from projections.chain import ChainHead
from projections.history import Change, Clock, Escalation
from projections.lead.state import LeadState, state_from_json, state_to_json, stored_to_json

AT = datetime(2026, 3, 2, 9, 0, 5, 123456, tzinfo=UTC)


def _state() -> LeadState:
    return LeadState(
        lead_id="L-ü",
        status="MQL",
        score=80,
        owner="Zoë",
        industry="saas",
        budget=1234.5,
        mql_at=AT,
        history=(Change(AT, "status", "RAW", "MQL", "e1", "score ≥ 75"),),
        clocks=(Clock("MQL_NOT_ASSIGNED", "MQL_NOT_ASSIGNED:e1", AT, AT, "v1"),),
        escalations=(Escalation("x1", "MQL_NOT_ACCEPTED", "c1", AT),),
        seen=frozenset({"e1", "e2"}),
        person_fields=("email", "company"),
    )


def test_round_trip_and_same_json_as_the_stdlib_wrote() -> None:
    state = _state()
    raw = state_to_json(state)
    assert state_from_json(raw) == state
    stdlib = json.dumps(json.loads(raw), separators=(",", ":")).encode()
    assert json.loads(raw) == json.loads(stdlib)
    assert state_from_json(stdlib) == state  # a table written by the old codec


def test_non_finite_floats_survive_as_they_did() -> None:
    for value in (math.inf, -math.inf):
        state = replace(_state(), budget=value)
        assert state_from_json(state_to_json(state)) == state
    loaded = state_from_json(state_to_json(replace(_state(), budget=math.nan)))
    assert loaded.budget is not None
    assert math.isnan(loaded.budget)


def test_an_integer_beyond_64_bits_survives() -> None:
    state = replace(_state(), score=2**70)
    assert state_from_json(state_to_json(state)).score == 2**70


def test_the_stored_form_keeps_the_chain_head_and_the_replayed_form_leaves_it_out() -> None:
    """The head is the worker's (streams/agents/lead_batch.py): a state with one equals,
    and compares byte for byte with, the same state replay rebuilds without one."""
    head = ChainHead("ab" * 32, "e2")
    state = replace(_state(), chain_head=head)
    assert state_from_json(stored_to_json(state)).chain_head == head
    assert state_to_json(state) == state_to_json(_state())
    assert state == _state()  # equality ignores the head: live equals replay
    assert stored_to_json(_state()) == state_to_json(_state())  # no head, no field


def test_a_state_stored_before_heads_moved_into_it_loads_without_one() -> None:
    body = json.loads(state_to_json(_state()))
    assert "chain_head" not in body
    legacy = json.dumps(body, separators=(",", ":")).encode()
    assert state_from_json(legacy).chain_head is None
