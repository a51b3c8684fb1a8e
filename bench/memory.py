"""Memory: RSS of a worker process holding ``leads`` leads in its table.

The table is filled the way a restarted worker fills it: the lead states are written
to the table's changelog topic and the worker recovers them at start-up. The records
are real ones, written by the live worker for the workload's leads, repeated under
fresh lead ids (same length, so the same size).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil
from kafka import KafkaConsumer, TopicPartition

from bench.access import operator_access
from bench.broker import wait_for_topic
from bench.rawloop import Message, preload
from bench.worker import running_worker
from streams.broker.admin import create_topics


def read_changelog(bootstrap: str, topic: str) -> list[Message]:
    """The last record of every key of a table's changelog, in the worker's own format."""
    consumer = KafkaConsumer(**operator_access(bootstrap).kafka_python(), enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        ends = consumer.end_offsets(partitions)
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        latest: dict[bytes, bytes] = {}
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for batch in consumer.poll(timeout_ms=1000).values():
                latest.update((record.key, record.value) for record in batch)
    finally:
        consumer.close()
    return list(latest.items())


def changelog_records(samples: Sequence[Message], leads: int) -> Iterator[Message]:
    """``leads`` changelog records: real ones (written by the worker for the workload's
    leads) repeated under fresh lead ids."""
    for number in range(leads):
        key, value = samples[number % len(samples)]
        old_id = LEAD_ID.search(key)
        if old_id is None:
            raise ValueError(f"no lead id in changelog key {key!r}")
        new_id = lead_key(number).encode()
        yield key.replace(old_id[0], new_id), value.replace(old_id[0], new_id)


LEAD_ID = re.compile(rb"L\d{7}")  # bench.workload's lead ids


def lead_key(number: int) -> str:
    return f"L{number:07d}"


def worker_rss(
    *,
    bootstrap: str,
    namespace: str,
    workdir: Path,
    store: str,
    samples: Sequence[Message],
    leads: int,
) -> tuple[float, float]:
    """(RSS in bytes once every lead is recovered, seconds the recovery took)."""
    create_topics(operator_access(bootstrap).kafka_python(), namespace)
    changelog = f"{namespace}-leads-changelog"
    wait_for_topic(bootstrap, changelog)  # created by create_topics with the others
    preload(bootstrap, changelog, changelog_records(samples, leads))
    last_keys = {lead_key(number) for number in range(max(0, leads - 12), leads)}
    start = time.monotonic()
    with running_worker(bootstrap, namespace, workdir, store) as worker:
        for key in last_keys:
            worker.wait(
                lambda key=key: worker.get(f"/leads/{key}").status_code == 200,
                900,
                f"recovery of {leads} leads",
                every=0.5,
            )
        recovered = time.monotonic() - start
        time.sleep(2)  # let the recovery's buffers go before reading RSS
        rss = float(psutil.Process(worker.process.pid).memory_info().rss)
    return rss, recovered
