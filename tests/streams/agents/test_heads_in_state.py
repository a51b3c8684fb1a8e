"""A lead's chain head is kept in its state: one changelog write per lead per batch.

Issue 19: the head written apart, to the ``chain-heads`` table, was a second write per
lead per batch. Now it lands with the state, atomically (``streams/agents/lead_batch.py``);
a subject with no lead state (an event refused for an unknown lead) keeps its head in
the table, and a state stored before has none, so the table's is read until its next
write. A kill -9 before the state landed loses the head with it: the redelivery stamps
the batch again from the old head, and the log must still chain and replay as live.
"""

from __future__ import annotations

import ast
import json
from datetime import timedelta
from pathlib import Path

from projections.chain import ChainHead, first_break
from projections.lead.fold import state_from_json
from projections.lead.state import state_to_json
from projections.policy import Policy
from projections.replay import decide_log
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from streams.agents.clock import apply_due, deadline_due
from streams.agents.lead import handle_lead_batch
from tests.streams.agents.test_lead_batch import (
    RECORDED_AT,
    HeldTopic,
    _events,
    _rt,
    _two_leads,
)
from tests.support.leads import Lead, at

ROOT = Path(__file__).resolve().parents[3]
Pairs = list[tuple[Envelope | bytes, int]]


def _log(topic: HeldTopic) -> list[Envelope]:
    return [decode(v, as_recorded=True) for v in topic.sent]


def _last_head(log: list[Envelope], subject: str) -> ChainHead:
    last = [e for e in log if e.subject == subject][-1]
    assert last.record is not None
    return ChainHead(last.record.hash, last.event_id)


def _table_head(raw: bytes) -> ChainHead:
    body = json.loads(raw)
    return ChainHead(body["hash"], body["event_id"])


async def test_a_batch_writes_each_lead_once_with_its_head_and_no_chain_heads_entry() -> None:
    a, b, pairs = _two_leads()
    ghost = Lead("L-ghost").activity(at(2))  # no such lead: refused, still recorded
    pairs.append((ghost, 3))
    rt = _rt()
    await handle_lead_batch(rt, _events(pairs))
    log = _log(rt.lead_log_topic)
    assert first_break(log) == (len(pairs), None)
    assert sorted(rt.leads.writes) == [(a.lead_id, 1), (b.lead_id, 2)]  # once each
    assert rt.chain_heads.writes == [(ghost.subject, 3)]  # only the subject with no state
    for lead in (a, b):
        stored = state_from_json(rt.leads[lead.lead_id])
        assert stored.chain_head == _last_head(log, lead.lead_id)
        assert b"chain_head" not in state_to_json(stored)  # the replayed form has none
    assert _table_head(rt.chain_heads[ghost.subject]) == _last_head(log, ghost.subject)


def _crash_batches() -> tuple[Lead, Lead, Pairs, Pairs]:
    """A first batch that landed, and a second whose records the broker has but whose
    table writes a kill -9 lost: an existing lead, a new one whose capture seals a
    person, and a subject with no state, each with several events."""
    old, new, ghost = Lead("L-crash-old"), Lead("L-crash-new"), Lead("L-crash-ghost")
    landed: Pairs = [
        (old.captured(), 1),
        (old.activity(at(1), "webinar"), 1),
        (ghost.activity(at(1)), 2),
    ]
    lost: Pairs = [
        (old.activity(at(2), "demo_request", points=80), 1),
        (new.captured(at(2)), 2),
        (old.assigned(at(2.5), "rep-1"), 1),
        (new.activity(at(3), "webinar"), 2),
        (ghost.activity(at(3)), 2),
    ]
    return old, new, landed, lost


async def test_a_redelivery_after_the_state_was_lost_chains_and_replays_as_live() -> None:
    old, new, landed, lost = _crash_batches()
    first = _rt()
    await handle_lead_batch(first, _events(landed))
    leads_then, heads_then = dict(first.leads), dict(first.chain_heads)
    await handle_lead_batch(first, _events(lost))  # in the log; its writes never land

    # The restarted worker: the tables as their changelogs hold them, the new lead's
    # key landed before its capture was sent (lead._keys_first), the same record log.
    again = _rt(first.lead_log_topic)
    again.leads.update(leads_then)
    again.chain_heads.update(heads_then)
    again.lead_keys, again.keyring = first.lead_keys, first.keyring
    again.clock = lambda: RECORDED_AT + timedelta(minutes=1)  # other stamps, other hashes
    await handle_lead_batch(again, _events(lost))

    log = _log(first.lead_log_topic)
    assert len(log) == len(landed) + 2 * len(lost)  # each lost event recorded twice
    assert first_break(log) == (len(log), None)  # the second copies are redeliveries
    copies = list(zip(log[len(landed) : -len(lost)], log[-len(lost) :], strict=True))
    for copy, again_copy in copies:
        assert again_copy.event_id == copy.event_id
        # All but the stamp, the sealed person byte for byte too: its key survived.
        assert again_copy.model_dump(exclude={"record"}) == copy.model_dump(exclude={"record"})
    # Each subject's first lost event links where its first copy did: the old head.
    for subject in (old.lead_id, new.lead_id, "L-crash-ghost"):
        copy, again_copy = next(pair for pair in copies if pair[0].subject == subject)
        assert copy.record is not None
        assert again_copy.record is not None
        assert again_copy.record.prev_hash == copy.record.prev_hash

    _, replayed = decide_log(log, Policy())  # replay folds the first copy of each
    for lead in (old, new):
        live = state_from_json(again.leads[lead.lead_id])
        assert state_to_json(live) == state_to_json(replayed.leads[lead.lead_id])
        assert live.chain_head == _last_head(log, lead.lead_id)


async def test_a_state_stored_without_a_head_reads_the_chain_heads_table() -> None:
    """States written before heads moved into them: the table has the head, once."""
    lead = Lead("L-legacy")
    before = _rt()
    await handle_lead_batch(before, _events([(lead.captured(), 1)]))
    stored = state_from_json(before.leads[lead.lead_id])
    assert stored.chain_head is not None
    legacy = state_to_json(stored)  # the JSON a state was stored as before: no head
    assert b"chain_head" not in legacy
    assert state_from_json(legacy).chain_head is None

    rt = _rt(before.lead_log_topic)
    rt.leads.update({lead.lead_id: legacy})
    table_head = {"hash": stored.chain_head.hash, "event_id": stored.chain_head.event_id}
    rt.chain_heads.update({lead.lead_id: json.dumps(table_head).encode()})
    rt.lead_keys, rt.keyring = before.lead_keys, before.keyring
    await handle_lead_batch(rt, _events([(lead.activity(at(1), "webinar"), 1)]))

    log = _log(rt.lead_log_topic)
    assert first_break(log) == (2, None)  # linked after the table's head
    assert log[1].record is not None
    assert log[1].record.prev_hash == stored.chain_head.hash
    assert state_from_json(rt.leads[lead.lead_id]).chain_head == _last_head(log, lead.lead_id)
    assert rt.chain_heads.writes == []  # from now on the state carries it


async def test_the_clock_agent_keeps_the_head_it_did_not_move() -> None:
    lead = Lead("L-clock-head")
    rt = _rt()
    events: Pairs = [(lead.captured(), 1), (lead.activity(at(1), "demo_request", points=80), 1)]
    await handle_lead_batch(rt, _events(events))
    head = state_from_json(rt.leads[lead.lead_id]).chain_head
    assert head is not None
    await apply_due(rt, encode(deadline_due(lead.lead_id, at(2))), 1)  # fires a clock
    after = state_from_json(rt.leads[lead.lead_id])
    assert [e.rule for e in after.escalations] == ["MQL_NOT_ASSIGNED"]
    assert after.chain_head == head


def _imports(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(
        isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names)
        for node in ast.walk(tree)
    )


def test_the_worker_writes_lead_states_only_in_the_stored_form() -> None:
    """``state_to_json`` leaves the head out: a worker writing it would drop the lead's
    head, and the next event would link to the stale one in the chain-heads table."""
    users = [p for p in (ROOT / "streams").rglob("*.py") if _imports(p, "state_to_json")]
    assert users == []
