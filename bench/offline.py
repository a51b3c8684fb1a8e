"""Rows measured without a worker: replay (file, Kafka) and the timer tick."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench.access import operator_access
from projections.policy import Policy
from projections.replay import replay_leads
from schemas.envelope import Envelope
from schemas.jsonl import read_log, write_log
from streams.agents.clock import Asked, send_due
from streams.cli.collector import fewer_collections
from streams.readback.event_log import read_topics
from streams.runtime import Counters
from streams.state import deadline_index
from streams.state.deadline_index import BucketSchedule


def replay_file(events: Sequence[Envelope], path: Path, as_of: datetime) -> float:
    """Events/s of ``leadledger replay FILE``'s work: parse every line, fold, advance."""
    with path.open("w", encoding="utf-8") as out:
        write_log(events, out)
    start = time.perf_counter()
    with fewer_collections():  # as `leadledger replay` folds
        replay_leads(read_log(path), as_of, Policy())
    return len(events) / (time.perf_counter() - start)


def replay_kafka(bootstrap: str, topic: str, expected: int, as_of: datetime) -> float:
    """Events/s of ``leadledger replay kafka``: read, decode, merge, fold, advance."""
    start = time.perf_counter()
    with fewer_collections():  # as `leadledger replay` folds
        result = replay_leads(read_topics(operator_access(bootstrap), [topic]), as_of, Policy())
    elapsed = time.perf_counter() - start
    if not result.leads:
        raise RuntimeError(f"replay from {topic} found no leads")
    return expected / elapsed


class _Clocks:
    """Stands in for the clocks topic: the tick's sends are counted, not networked."""

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, key: bytes, value: bytes) -> None:
        self.sent += 1


def _runtime(partitions: int) -> Any:
    topic = "bench.leads"
    owned = [SimpleNamespace(topic=topic, partition=p) for p in range(partitions)]
    app = SimpleNamespace(
        rebalancing=False, assignor=SimpleNamespace(assigned_actives=lambda: owned)
    )
    return SimpleNamespace(
        app=app,
        leads_topic=SimpleNamespace(get_topic_name=lambda: topic),
        agreements_topic=SimpleNamespace(get_topic_name=lambda: "bench.agreements"),
        applied_offsets={},  # nothing fetched and unapplied: no backlog holds a clock
        clocks_topic=_Clocks(),
        deadlines={},
        schedule=BucketSchedule(),
        counters=Counters(),
    )


async def _timed_tick(rt: Any, now: datetime, sent: Asked) -> float:
    start = time.perf_counter()
    await send_due(rt, now, sent)
    return time.perf_counter() - start


def timer_tick(open_clocks: int, due: int, partitions: int = 6) -> tuple[float, float]:
    """Seconds for one real ``send_due`` tick with ``due`` of ``open_clocks`` due, and
    for one with none due; the index is the worker's own (a dict stands for the table).
    """
    rt = _runtime(partitions)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for number in range(open_clocks - due):  # future clocks, over ~60 days of minutes
        due_at = now + timedelta(minutes=1 + number % 86_400, seconds=number % 60)
        deadline_index.add(rt.deadlines, number % partitions, f"L{number}", due_at)
    sent: Asked = {}
    asyncio.run(send_due(rt, now, sent))  # the once-per-assignment rebuild, not timed
    idle = asyncio.run(_timed_tick(rt, now, sent))
    for number in range(due):
        due_at = now - timedelta(seconds=1 + number % 50)
        key = deadline_index.add(rt.deadlines, number % partitions, f"D{number}", due_at)
        rt.schedule.note(key)
    busy = asyncio.run(_timed_tick(rt, now, sent))
    if rt.clocks_topic.sent != due:
        raise RuntimeError(f"the tick sent {rt.clocks_topic.sent} DeadlineDue, expected {due}")
    return busy, idle
