"""The timer asks for each due deadline once, and not while its partition is behind
(``streams/agents/clock.send_due``; issue 19 checks both before building a request)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from schemas.codec import decode
from streams.agents.clock import Asked, deadline_due, send_due
from streams.runtime import Counters
from streams.state import deadline_index
from streams.state.deadline_index import BucketSchedule

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Clocks:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, key: bytes, value: bytes) -> None:
        self.sent.append(value)


def _runtime(highwater: int) -> Any:
    topic = "t.leads"
    return SimpleNamespace(
        app=SimpleNamespace(
            rebalancing=False,
            assignor=SimpleNamespace(
                assigned_actives=lambda: [SimpleNamespace(topic=topic, partition=0)]
            ),
            consumer=SimpleNamespace(highwater=lambda tp: highwater),
        ),
        leads_topic=SimpleNamespace(get_topic_name=lambda: topic),
        agreements_topic=SimpleNamespace(get_topic_name=lambda: "t.agreements"),
        applied_offsets={(topic, 0): 9},
        clocks_topic=Clocks(),
        deadlines={},
        schedule=BucketSchedule(),
        counters=Counters(),
    )


async def test_each_due_deadline_is_asked_for_once() -> None:
    rt = _runtime(highwater=10)  # offset 9 applied, nothing behind
    due_at = NOW - timedelta(seconds=5)
    deadline_index.add(rt.deadlines, 0, "L-1", due_at)
    deadline_index.add(rt.deadlines, 0, "L-2", NOW + timedelta(hours=1))  # not due
    sent: Asked = {}
    assert await send_due(rt, NOW, sent) == 1
    assert await send_due(rt, NOW + timedelta(seconds=1), sent) == 0
    (request,) = [decode(v) for v in rt.clocks_topic.sent]
    assert request.event_id == deadline_due("L-1", due_at).event_id


async def test_a_partition_behind_is_asked_for_once_it_caught_up() -> None:
    rt = _runtime(highwater=20)  # fetched up to 19, applied 9: behind
    deadline_index.add(rt.deadlines, 0, "L-1", NOW - timedelta(seconds=5))
    sent: Asked = {}
    assert await send_due(rt, NOW, sent) == 0
    assert await send_due(rt, NOW, sent) == 0
    rt.applied_offsets[("t.leads", 0)] = 19
    assert await send_due(rt, NOW, sent) == 1
