"""The lead agent's batches: the same answers as one event at a time, written once,
on each event's own partition, and only after the broker has what the batch sent.

The shell with fake topics whose delivery the test decides (``streams/agents/lead_batch.py``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from faust.streams import current_event

from projections.chain import first_break
from projections.lead.fold import state_from_json
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.system_events import EventRejected
from streams.agents import lead as lead_agent
from streams.agents.clock import apply_due, deadline_due
from streams.agents.lead import handle_lead_batch, handle_lead_message
from tests.streams.agents.test_lead_send_order import runtime
from tests.support.leads import Lead, at, fold

RECORDED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class HeldTopic:
    """A topic whose sends are delivered when the test says so (or at once)."""

    def __init__(self, *, hold: bool = False) -> None:
        self.sent: list[bytes] = []
        self.pending: list[asyncio.Future[Any]] = []
        self.hold = hold

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> asyncio.Future[Any]:
        self.sent.append(value)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.hold:
            self.pending.append(future)
        else:
            future.set_result(None)
        return future

    def deliver(self, error: Exception | None = None) -> None:
        for future in self.pending:
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
        self.pending.clear()


class PartitionedTable(dict[str, bytes]):
    """A table that notes which partition each write went to (Faust's current event)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, int | None]] = []

    def __setitem__(self, key: str, value: bytes) -> None:
        event = current_event()
        self.writes.append((key, event.message.partition if event is not None else None))
        super().__setitem__(key, value)


@dataclass
class FakeMessage:
    key: bytes
    value: bytes
    partition: int
    offset: int
    topic: str = "t.leads"

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass(eq=False)
class FakeEvent:
    """Stands in for Faust's event (weak-referenceable, as Faust's is)."""

    message: FakeMessage
    acked: list[int] = field(default_factory=list)


def _events(pairs: list[tuple[Envelope | bytes, int]]) -> list[FakeEvent]:
    """Faust events of (event or raw bytes, partition), offsets in order per partition."""
    offsets: dict[int, int] = {}
    made = []
    for item, partition in pairs:
        offset = offsets.get(partition, 0)
        offsets[partition] = offset + 1
        key = item.subject.encode() if isinstance(item, Envelope) else b"L-bad"
        value = encode(item) if isinstance(item, Envelope) else item
        made.append(FakeEvent(FakeMessage(key, value, partition, offset)))
    return made


def _rt(log: HeldTopic | None = None) -> Any:
    rt = runtime(HeldTopic())
    rt.lead_log_topic = log or HeldTopic()
    rt.rejections_topic = HeldTopic()
    rt.leads = PartitionedTable()
    rt.chain_heads = PartitionedTable()
    rt.clock = lambda: RECORDED_AT
    return rt


def _two_leads() -> tuple[Lead, Lead, list[tuple[Envelope | bytes, int]]]:
    a, b = Lead("L-batch-a"), Lead("L-batch-b")
    pairs: list[tuple[Envelope | bytes, int]] = [
        (a.captured(), 1),
        (b.captured(), 2),
        (a.activity(at(1), "demo_request", points=80), 1),
        (b.activity(at(1), "webinar"), 2),
        (a.assigned(at(1.5), "rep-1"), 1),
    ]
    return a, b, pairs


async def test_a_batch_folds_as_one_event_at_a_time_and_writes_each_lead_once() -> None:
    a, b, pairs = _two_leads()
    batched = _rt()
    await handle_lead_batch(batched, _events(pairs))
    alone = _rt()
    for event in _events(pairs):
        message = event.message
        await handle_lead_message(
            alone, message.key, message.value, message.partition, message.offset
        )
    for lead in (a, b):
        in_batch = state_from_json(batched.leads[lead.lead_id])
        one_by_one = state_from_json(alone.leads[lead.lead_id])
        # The capture's content digest covers its sealed person, sealed under a fresh
        # key in each runtime: the same ids are remembered, the rest is equal.
        assert in_batch.digests.keys() == one_by_one.digests.keys()
        assert replace(in_batch, digests={}) == replace(one_by_one, digests={})
    logged = [decode(v) for v in batched.lead_log_topic.sent]
    # The same records in the same order (their sealed persons differ: a fresh key each),
    # chained as one at a time chains them.
    assert [e.event_id for e in logged] == [decode(v).event_id for v in alone.lead_log_topic.sent]
    assert first_break(logged) == (len(pairs), None)
    assert batched.escalations_topic.sent == alone.escalations_topic.sent
    assert sorted(key for key, _ in batched.leads.writes) == [a.lead_id, b.lead_id]
    assert batched.counters.processed == len(pairs)
    expected = fold([e for e, _ in pairs if isinstance(e, Envelope) and e.subject == a.lead_id])
    assert state_from_json(batched.leads[a.lead_id]).score == expected.lead.score


async def _all_sent(log: HeldTopic, count: int) -> None:
    """Until the batch task has handed ``count`` records to the held topic."""
    for _ in range(100):
        if len(log.pending) == count:
            return
        await asyncio.sleep(0.001)  # lets the batch task run; no SLA is waited out
    raise AssertionError(f"{len(log.pending)} of {count} records sent")


async def test_each_write_goes_to_its_own_events_partition() -> None:
    a, b, pairs = _two_leads()
    ghost = Lead("L-batch-ghost").activity(at(2))  # no state: its head goes to the table
    pairs.append((ghost, 3))
    rt = _rt()
    await handle_lead_batch(rt, _events(pairs))
    partition_of = {a.lead_id: 1, b.lead_id: 2, ghost.subject: 3}
    for table in (rt.leads, rt.chain_heads):
        assert table.writes, "nothing written"
        assert all(partition == partition_of[key] for key, partition in table.writes)


async def test_nothing_is_written_before_the_broker_has_the_batchs_records() -> None:
    a, _, pairs = _two_leads()
    ghost = Lead("L-batch-ghost").activity(at(2))  # no state: its head goes to the table
    pairs.append((ghost, 3))
    log = HeldTopic(hold=True)
    rt = _rt(log)
    batch = asyncio.create_task(handle_lead_batch(rt, _events(pairs)))
    await _all_sent(log, len(pairs))  # every record sent, none awaited one by one
    assert rt.leads.writes == []
    assert rt.chain_heads.writes == []
    log.deliver()
    await asyncio.wait_for(batch, timeout=5)
    assert a.lead_id in rt.leads
    assert ghost.subject in rt.chain_heads


async def test_a_bad_event_is_rejected_alone_and_the_rest_apply() -> None:
    a, b, pairs = _two_leads()
    pairs.insert(2, (b"not avro at all", 1))
    rt = _rt()
    await handle_lead_batch(rt, _events(pairs))
    (rejection,) = [decode(v) for v in rt.rejections_topic.sent]
    assert isinstance(rejection, EventRejected)
    assert rt.counters.processed == len(pairs) - 1
    assert rt.counters.received == rt.counters.processed + rt.counters.rejected
    assert {a.lead_id, b.lead_id} <= set(rt.leads)


async def test_an_event_that_raises_is_rejected_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    _a, b, pairs = _two_leads()
    failing = pairs[3][0]
    assert isinstance(failing, Envelope)
    evolve = lead_agent.evolve  # type: ignore[attr-defined]

    def evolve_or_fail(state: Any, event: Envelope, *args: Any) -> Any:
        if event.event_id == failing.event_id:
            raise RuntimeError("a bug in the fold")
        return evolve(state, event, *args)

    monkeypatch.setattr(lead_agent, "evolve", evolve_or_fail)
    rt = _rt()
    await handle_lead_batch(rt, _events(pairs))
    (rejection,) = [decode(v) for v in rt.rejections_topic.sent]
    assert isinstance(rejection, EventRejected)
    assert "a bug in the fold" in rejection.data.reasons[0]
    assert rt.counters.processed == len(pairs) - 1
    assert state_from_json(rt.leads[b.lead_id]).seen == {pairs[1][0].event_id}  # type: ignore[union-attr]


async def test_a_failed_delivery_writes_nothing_and_handles_each_event_again() -> None:
    a, b, pairs = _two_leads()
    log = HeldTopic(hold=True)
    rt = _rt(log)
    batch = asyncio.create_task(handle_lead_batch(rt, _events(pairs)))
    await _all_sent(log, len(pairs))
    log.hold = False  # the broker is back for the events handled again
    log.deliver(RuntimeError("not enough replicas"))
    await asyncio.wait_for(batch, timeout=5)
    # Handled again one by one, each appended again (a redelivery, as after a crash),
    # and counted once.
    assert len(log.sent) == 2 * len(pairs)
    assert rt.counters.received == len(pairs) == rt.counters.processed
    assert {a.lead_id, b.lead_id} == set(rt.leads)


async def test_the_clock_agent_waits_for_the_batch_that_holds_its_lead() -> None:
    a, _, pairs = _two_leads()
    log = HeldTopic(hold=True)
    rt = _rt(log)
    batch = asyncio.create_task(handle_lead_batch(rt, _events(pairs[:3])))
    for _ in range(100):
        if log.pending:
            break
        await asyncio.sleep(0.001)
    due = encode(deadline_due(a.lead_id, at(2)))  # a clock of the lead in the batch
    clock = asyncio.create_task(apply_due(rt, due, 1))
    await asyncio.sleep(0.01)
    assert not clock.done()  # it would read the state the batch has not written yet
    log.hold = False
    log.deliver()
    await asyncio.wait_for(asyncio.gather(batch, clock), timeout=5)
    state = state_from_json(rt.leads[a.lead_id])
    assert [e.rule for e in state.escalations] == ["MQL_NOT_ASSIGNED"]
