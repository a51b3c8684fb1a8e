"""A message is acknowledged only after its handling finished, never when cancelled.

Faust acknowledges in the ``finally`` of its stream iterator, so an agent cancelled in
the middle of a message (a worker stopping, a rebalance) had that message's offset
committed although its state write and emits never happened: the fault harness's
two-workers scenario lost one input and five escalations that way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from streams.delivery.ack_guard import counts
from streams.delivery.agent_loop import finished_events


class FakeMessage:
    """Stands in for Faust's message (weak-referenceable, as Faust's is)."""


@dataclass
class RecordingEvent:
    name: str
    acked: list[str]
    message: FakeMessage = field(default_factory=FakeMessage)

    def ack(self) -> bool:
        # The guard (streams/delivery/ack_guard.py) lets an ack count only for a handled message.
        assert counts(self.message), "acknowledged before it was marked handled"
        self.acked.append(self.name)
        return True


@dataclass
class ManualAckStream:
    """Stands in for a Faust stream: ``noack()`` must be asked for before iterating."""

    names: list[str]
    acked: list[str] = field(default_factory=list)
    manual: bool = False

    def noack(self) -> ManualAckStream:
        self.manual = True
        return self

    async def events(self) -> AsyncIterator[RecordingEvent]:
        assert self.manual, "iterated with Faust's automatic acks still on"
        for name in self.names:
            yield RecordingEvent(name, self.acked)


async def test_each_event_is_acked_after_the_body_returns() -> None:
    stream = ManualAckStream(["a", "b"])
    seen_acked_during_body = []
    async for event in finished_events(stream):
        seen_acked_during_body.append(list(stream.acked))
        assert event.name not in stream.acked
    assert seen_acked_during_body == [[], ["a"]]
    assert stream.acked == ["a", "b"]


async def test_a_body_cancelled_midway_leaves_its_event_unacked() -> None:
    stream = ManualAckStream(["a", "b", "c"])
    started_b = asyncio.Event()

    async def agent() -> None:
        async for event in finished_events(stream):
            if event.name == "b":
                started_b.set()
                await asyncio.sleep(3600)  # a send that never completes

    task = asyncio.create_task(agent())
    await asyncio.wait_for(started_b.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.acked == ["a"]
