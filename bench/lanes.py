"""One live measurement on a fresh namespace, the way ``make bench`` and
``bench.live_only`` both take it: a worker (or two of one group) from a code tree, a
workload published to its topic, events/s on the wall clock and the workers' CPU.

Events per worker CPU-second is the figure to compare on a shared machine: other
sessions' load stretches the wall clock far more than it changes the CPU a worker
spends on an event.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from bench import live
from bench import worker as bench_worker
from bench.access import operator_access
from bench.broker import wait_for_topic
from streams.broker.admin import create_partner_topics, create_topics
from streams.broker.topics import LEADS, TABLES, changelog_name, publish_topic_name, topic_name
from streams.identity import registry

ADMISSION_PARTNER = "bench-crm"  # internal: it may publish every lead lifecycle event


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    events: int
    events_per_s: float
    cpu_s: float  # of every worker process of the lane, while it handled the workload
    rejected: int  # the workload has none: a tree that rejects them measures nothing

    @property
    def per_cpu_s(self) -> float:
        return self.events / self.cpu_s if self.cpu_s else float("nan")


class Workers:
    """One or more workers of a group as one: counters summed, every one watched."""

    def __init__(self, workers: list[bench_worker.Worker]) -> None:
        self.workers = workers

    def counters(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for worker in self.workers:
            for name, value in worker.counters().items():
                total[name] = total.get(name, 0) + value
        return total

    def balanced(self) -> bool:
        """Every worker holds partitions (a lone worker: at once)."""
        return all(w.get("/stats").json()["assigned_partitions"] for w in self.workers)

    def wait(self, done: Any, timeout: float, what: str, every: float = 0.05) -> float:
        def all_alive_and_done() -> bool:
            for worker in self.workers[1:]:
                worker.check_alive()
            return bool(done())

        return self.workers[0].wait(all_alive_and_done, timeout, what, every)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(w.process.pid) for w in self.workers)


def measure(
    bootstrap: str,
    tmp: Path,
    messages: Sequence[tuple[bytes, bytes]],
    *,
    code: Path = bench_worker.ROOT,
    workers: int = 1,
    admission: bool = False,
) -> Measured:
    """``workers`` worker processes from ``code`` on a fresh namespace of ``bootstrap``
    handle ``messages``, published to the leads topic, or with ``admission`` to an
    internal partner's publish topic (each event then passes the admission step)."""
    namespace = f"l{uuid.uuid4().hex[:6]}"
    client = operator_access(bootstrap).kafka_python()
    create_topics(client, namespace)
    for table in TABLES:  # the worker's first table writes need their changelogs served
        wait_for_topic(bootstrap, changelog_name(table, namespace))
    home = tmp / namespace  # the first worker's LEADLEDGER_HOME
    topic = topic_name(LEADS, namespace)
    if admission:
        registry.add(registry.registry_path(home), ADMISSION_PARTNER, "internal")
        create_partner_topics(client, namespace, ADMISSION_PARTNER)
        topic = publish_topic_name(namespace, ADMISSION_PARTNER)
    with ExitStack() as stack:
        started = [
            # Each its own home; one keyring per namespace, as a deployment shares one.
            stack.enter_context(
                bench_worker.running_worker(
                    bootstrap, namespace, home if n == 0 else tmp / f"{namespace}-{n}", code=code
                )
            )
            for n in range(workers)
        ]
        group = Workers(started)
        group.wait(group.balanced, 120, "partitions shared")
        before = group.cpu_seconds()
        rate = live.throughput(group, bootstrap, topic, messages)
        used = group.cpu_seconds() - before
        rejected = group.counters()["rejected"]
    return Measured(len(messages), rate, used, rejected)


def records_written(bootstrap: str, namespace: str, source: str) -> dict[str, int]:
    """Records on each of the namespace's topics and table changelogs, ``source`` (the
    input) left out: what the worker wrote to Kafka for the workload (a fresh namespace
    holds nothing else; nothing is compacted or deleted within a run)."""
    consumer = KafkaConsumer(**operator_access(bootstrap).kafka_python(), enable_auto_commit=False)
    try:
        topics = [
            name
            for name in consumer.topics()
            if name != source and name.startswith((f"{namespace}.", f"{namespace}-"))
        ]
        counts = {}
        for name in topics:
            partitions = [TopicPartition(name, p) for p in consumer.partitions_for_topic(name)]
            ends = consumer.end_offsets(partitions)
            starts = consumer.beginning_offsets(partitions)
            counts[name.removeprefix(namespace)[1:]] = sum(ends[p] - starts[p] for p in partitions)
    finally:
        consumer.close()
    return {name: count for name, count in sorted(counts.items()) if count}
