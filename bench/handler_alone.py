"""The live worker's ceiling without Kafka: the lead agent's own handler, in process.

``handle_lead_batch`` (decode, check, seal, stamp, fold, record, outputs, the batch's
table writes) over the bench workload, in batches of the agent's size, with dict
tables and topics whose sends are delivered at once. No broker, no Faust consumer or
changelog, no aiokafka. Events per CPU-second of this process is what one worker
process could reach if Kafka I/O and Faust cost nothing: the guarantees' own Python.

``python -m bench.handler_alone --leads 2000`` prints it; ``make bench`` has it as a row.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.workload import lead_events
from projections.policy import Policy
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.agents.lead import handle_lead_batch
from streams.delivery.agent_loop import MAX_BATCH
from streams.personal_data.keyring import Keks
from streams.runtime import Runtime
from streams.settings import Settings

PARTITIONS = 6  # as every project topic has


class _Delivered:
    """A topic whose every send the broker has at once; it counts them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent = 0

    def get_topic_name(self) -> str:
        return self.name

    async def send(self, **_: Any) -> asyncio.Future[None]:
        self.sent += 1
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


@dataclass(frozen=True)
class _Message:
    key: bytes
    value: bytes
    partition: int
    offset: int
    topic: str = "bench.leads"

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass(eq=False)  # weak-referenceable, as Faust's events are (``as_current``)
class _Event:
    message: _Message


def _runtime() -> Runtime:
    return Runtime(
        app=None,
        settings=Settings(),
        policy=Policy(),
        leads_topic=_Delivered("bench.leads"),
        clocks_topic=_Delivered("bench.clocks"),
        rejections_topic=_Delivered("bench.rejections"),
        escalations_topic=_Delivered("bench.escalations"),
        notifications_topic=_Delivered("bench.notifications"),
        lead_log_topic=_Delivered("bench.lead-log"),
        leads={},
        deadlines={},
        escalations={},
        keyring=Keks.generate(),  # in memory: the keyring file's KEKs without the file
    )


def _batches(events: Sequence[Envelope]) -> list[list[_Event]]:
    """The workload as the agent reads it: keyed to a partition as Kafka would, offsets
    in order per partition, in batches of the agent's largest size."""
    offsets = [0] * PARTITIONS
    made = []
    for event in events:
        key = event.subject.encode()
        partition = zlib.crc32(key) % PARTITIONS  # any stable spread; not Kafka's murmur2
        made.append(_Event(_Message(key, encode(event), partition, offsets[partition])))
        offsets[partition] += 1
    return [made[start : start + MAX_BATCH] for start in range(0, len(made), MAX_BATCH)]


async def _handle_all(rt: Runtime, batches: list[list[_Event]]) -> None:
    for batch in batches:
        await handle_lead_batch(rt, batch)


def events_per_cpu_second(leads: int, now: datetime | None = None) -> tuple[int, float]:
    """(events handled, events per CPU-second of this process)."""
    events = lead_events(leads, now or datetime.now(UTC))
    batches = _batches(events)
    rt = _runtime()
    start = time.process_time()
    asyncio.run(_handle_all(rt, batches))
    used = time.process_time() - start
    handled = rt.counters.processed + rt.counters.duplicates
    if rt.counters.rejected or handled != len(events):
        raise RuntimeError(f"the handler did not take the workload cleanly: {rt.counters}")
    return len(events), len(events) / used


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.handler_alone", description=__doc__)
    parser.add_argument("--leads", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    args = parser.parse_args()
    figures = [events_per_cpu_second(args.leads) for _ in range(args.repeat)]
    count = figures[0][0]
    best = max(rate for _, rate in figures)
    print(f"{count} events: best {best:,.0f} events per CPU-second of {args.repeat} runs")


if __name__ == "__main__":
    main()
