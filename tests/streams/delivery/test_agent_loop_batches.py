"""Batches of waiting events, acknowledged only once handled and their table writes landed.

A batch is what the stream's buffer already holds (never a wait for more). Its
events are acknowledged after the body returned and after every table write the body
made reached the broker (``streams/delivery/table_writes.py``): Faust commits acknowledged
offsets without waiting for its producer buffer, and a ``kill -9`` in between lost the
state of a batch whose offsets were committed (the first batching attempt).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from faust.tables.base import Collection

from streams.delivery import table_writes
from streams.delivery.ack_guard import counts
from streams.delivery.agent_loop import finished_batches, finished_events


class FakeMessage:
    """Stands in for Faust's message (weak-referenceable, as Faust's is)."""


@dataclass
class RecordingEvent:
    name: str
    acked: list[tuple[str, bool]]
    message: FakeMessage = field(default_factory=FakeMessage)

    def ack(self) -> bool:
        self.acked.append((self.name, counts(self.message)))
        return True


class QueuedStream:
    """A Faust stream as the agent loop sees it: a buffer (``channel.queue``) it reads."""

    def __init__(self, *names: str) -> None:
        self.channel = SimpleNamespace(queue=asyncio.Queue())
        self.acked: list[tuple[str, bool]] = []
        self.put(*names)

    def put(self, *names: str) -> None:
        for name in names:
            self.channel.queue.put_nowait(RecordingEvent(name, self.acked))

    def noack(self) -> QueuedStream:
        return self

    async def events(self) -> AsyncIterator[RecordingEvent]:
        while True:
            yield await self.channel.queue.get()


def _write() -> None:
    """A table write, as ``table[key] = value`` makes it (the table is not looked at)."""
    table: Any = object()
    Collection.send_changelog(table, 0, b"lead", b"state")


def _names(batch: list[Any]) -> list[str]:
    return [event.name for event in batch]


async def test_a_batch_is_what_the_buffer_holds_acked_after_the_body() -> None:
    stream = QueuedStream("a", "b", "c")
    batches = finished_batches(stream)
    first = await anext(batches)
    assert _names(first) == ["a", "b", "c"]
    assert stream.acked == []  # the body has not returned yet
    stream.put("d")
    second = await anext(batches)
    assert stream.acked == [("a", True), ("b", True), ("c", True)]
    assert _names(second) == ["d"]
    await batches.aclose()


async def test_a_batch_holds_at_most_max_events() -> None:
    stream = QueuedStream("a", "b", "c")
    batches = finished_batches(stream, max_events=2)
    assert _names(await anext(batches)) == ["a", "b"]
    assert _names(await anext(batches)) == ["c"]
    await batches.aclose()


@pytest.fixture
def changelog(monkeypatch: pytest.MonkeyPatch) -> list[asyncio.Future[Any]]:
    """Table writes whose delivery the test decides: each write's future, in order."""
    futures: list[asyncio.Future[Any]] = []

    def send_changelog(self: Any, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        futures.append(asyncio.get_running_loop().create_future())
        return futures[-1]

    monkeypatch.setattr(Collection, "send_changelog", send_changelog)
    table_writes.install()
    return futures


async def test_the_ack_waits_until_the_batchs_table_writes_landed(
    changelog: list[asyncio.Future[Any]],
) -> None:
    stream = QueuedStream("a", "b")
    body_done = asyncio.Event()

    async def agent() -> None:
        async for _batch in finished_batches(stream):
            _write()  # a table write
            body_done.set()

    task = asyncio.create_task(agent())
    await asyncio.wait_for(body_done.wait(), timeout=5)
    await asyncio.sleep(0.01)
    assert stream.acked == []  # handled, but its write is not on the changelog yet
    changelog[0].set_result(None)
    for _ in range(100):
        if stream.acked:
            break
        await asyncio.sleep(0.001)
    assert stream.acked == [("a", True), ("b", True)]
    task.cancel()


async def test_a_failed_table_write_leaves_the_event_unhandled(
    changelog: list[asyncio.Future[Any]],
) -> None:
    stream = QueuedStream("a")
    events = finished_events(stream)
    await anext(events)
    _write()
    changelog[0].set_exception(RuntimeError("broker refused the write"))
    stream.put("b")
    await anext(events)
    # Acknowledged, but not as handled: the ack guard forgets it and has it read again.
    assert stream.acked == [("a", False)]
    await events.aclose()


async def test_writes_outside_a_handling_are_not_collected(
    changelog: list[asyncio.Future[Any]],
) -> None:
    _write()
    with table_writes.collected() as writes:
        _write()
    _write()
    assert writes == [changelog[1]]
