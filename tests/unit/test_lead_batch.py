"""The lead agent's batches: each lead's order kept, one table write per lead per
batch, a failing event rejected alone, and no event of a cancelled batch acknowledged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from projections.chain import first_break
from projections.lead import state_from_json
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.system_events import EventRejected
from streams.agent_loop import finished_batches
from streams.lead_agent import handle_lead_batch
from tests.leads import Lead, at
from tests.unit.test_clock_send_order import Topic
from tests.unit.test_lead_send_order import runtime


class CountingTable(dict[str, bytes]):
    """A table that counts the writes of each key (each is a changelog message)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: dict[str, int] = {}

    def __setitem__(self, key: str, value: bytes) -> None:
        self.writes[key] = self.writes.get(key, 0) + 1
        super().__setitem__(key, value)


class LogTopic(Topic):
    """The record log; refuses the appends of ``failing`` (a broken send)."""

    def __init__(self, failing: bytes | None = None) -> None:
        super().__init__()
        self.failing = failing

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> None:
        if key == self.failing:
            raise RuntimeError("the producer refused the append")
        self.sent.append(value)


@dataclass
class Message:
    key: bytes
    value: bytes
    offset: int
    partition: int = 0
    topic: str = "t.leads"  # the fake leads topic's name (test_lead_send_order)

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass
class Event:
    message: Message
    acked: list[int]

    def ack(self) -> bool:
        self.acked.append(self.message.offset)
        return True


def _events(envelopes: list[Envelope], acked: list[int]) -> list[Event]:
    return [
        Event(Message(e.subject.encode(), encode(e), offset), acked)
        for offset, e in enumerate(envelopes)
    ]


def _rt(failing: bytes | None = None) -> Any:
    rt = runtime(Topic())
    rt.leads = CountingTable()
    rt.chain_heads = CountingTable()
    rt.lead_log_topic = LogTopic(failing)
    return rt


async def test_a_batch_keeps_each_leads_order_and_writes_each_lead_once() -> None:
    a, b = Lead("L-batch-a"), Lead("L-batch-b")
    envelopes: list[Envelope] = [
        a.captured(),
        b.captured(),
        a.activity(at(1), "webinar"),
        b.assigned(at(1), "rep-7"),
        a.assigned(at(2), "rep-1"),
        a.activity(at(3), "demo_request"),
    ]
    rt = _rt()
    await handle_lead_batch(rt, _events(envelopes, []))
    assert rt.leads.writes == {a.lead_id: 1, b.lead_id: 1}
    assert rt.chain_heads.writes == {a.lead_id: 1, b.lead_id: 1}
    logged = [decode(v) for v in rt.lead_log_topic.sent]
    assert [e.event_id for e in logged] == [e.event_id for e in envelopes]
    assert first_break(logged) == (6, None)  # each lead chained in its own order
    state = state_from_json(rt.leads[a.lead_id])
    points = rt.policy.activity_points
    assert (state.owner, state.score) == ("rep-1", points["webinar"] + points["demo_request"])
    assert len(state.seen) == 4
    assert state_from_json(rt.leads[b.lead_id]).owner == "rep-7"
    assert (rt.counters.processed, rt.counters.rejected) == (6, 0)


async def test_a_failing_event_is_rejected_alone_and_the_rest_of_the_batch_applies() -> None:
    good, bad = Lead("L-batch-good"), Lead("L-batch-bad")
    envelopes: list[Envelope] = [
        good.captured(),
        bad.captured(),
        good.activity(at(1), "webinar"),
    ]
    rt = _rt(failing=bad.lead_id.encode())
    await handle_lead_batch(rt, _events(envelopes, []))
    (rejection,) = [decode(v) for v in rt.rejections_topic.sent]
    assert isinstance(rejection, EventRejected)
    assert rejection.subject == bad.lead_id
    assert "the producer refused the append" in rejection.data.reasons[0]
    assert bad.lead_id not in rt.leads
    assert len(state_from_json(rt.leads[good.lead_id]).seen) == 2
    assert (rt.counters.received, rt.counters.processed, rt.counters.rejected) == (3, 2, 1)


@dataclass
class BufferedStream:
    """Stands in for a Faust stream whose buffer holds ``names`` already fetched."""

    offsets: list[int]
    acked: list[int] = field(default_factory=list)
    manual: bool = False
    read: int = 0

    def noack(self) -> BufferedStream:
        self.manual = True
        return self

    @property
    def channel(self) -> Any:
        return self

    @property
    def queue(self) -> Any:
        return self

    def empty(self) -> bool:
        return self.read >= len(self.offsets)

    async def events(self) -> AsyncIterator[Event]:
        assert self.manual, "iterated with Faust's automatic acks still on"
        for offset in self.offsets:
            self.read += 1
            yield Event(Message(b"k", b"v", offset), self.acked)


async def test_batches_take_what_is_buffered_and_are_acked_only_when_done() -> None:
    stream = BufferedStream([0, 1, 2, 3, 4])
    batches, acked_during_body = [], []
    async for batch in finished_batches(stream, max_events=2):
        acked_during_body.append(list(stream.acked))
        batches.append([e.message.offset for e in batch])
    assert batches == [[0, 1], [2, 3], [4]]
    assert acked_during_body == [[], [0, 1], [0, 1, 2, 3]]
    assert stream.acked == [0, 1, 2, 3, 4]


async def test_a_cancelled_batch_leaves_all_its_events_unacked() -> None:
    stream = BufferedStream([0, 1, 2, 3, 4])
    in_second = asyncio.Event()

    async def agent() -> None:
        async for batch in finished_batches(stream, max_events=2):
            if batch[0].message.offset == 2:
                in_second.set()
                await asyncio.sleep(3600)  # a send that never completes

    task = asyncio.create_task(agent())
    await asyncio.wait_for(in_second.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.acked == [0, 1]
