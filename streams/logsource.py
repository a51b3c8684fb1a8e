"""Read the event log back out of Kafka, in a deterministic order, with kafka-python.

Per-subject order is what the folds depend on, and Kafka keeps it per partition. The
partitions are merged by always taking the head with the smallest (occurred_at, topic,
partition, offset): each partition's own order is kept whatever its timestamps, and the
same topics always give the same sequence.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, TopicPartition

from schemas.codec import DecodeError, decode
from schemas.events import Event

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LogRecord:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    event: Event


@dataclass
class ReadStats:
    records: int = 0
    undecodable: int = 0
    miskeyed: int = 0


def _read_partition(
    consumer: KafkaConsumer, tp: TopicPartition, end: int, stats: ReadStats
) -> list[LogRecord]:
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    records: list[LogRecord] = []
    while consumer.position(tp) < end:
        for batch in consumer.poll(timeout_ms=1000, max_records=5000).values():
            for message in batch:
                stats.records += 1
                try:
                    event = decode(message.value)
                except DecodeError:
                    # Undecodable input never entered the log of record: the worker
                    # rejected it to the rejections topic, with its bytes.
                    stats.undecodable += 1
                    continue
                if message.key != event.subject.encode():
                    # The worker refuses an event not keyed by its subject (it could
                    # sit on another lead's partition, out of that lead's order), so
                    # the log of record leaves it out too.
                    stats.miskeyed += 1
                    continue
                records.append(
                    LogRecord(tp.topic, tp.partition, message.offset, message.timestamp, event)
                )
    return records


def read_topics(
    bootstrap: str, topics: Sequence[str], stats: ReadStats | None = None
) -> Iterator[Event]:
    """Every decodable event of ``topics`` from the start up to their current end."""
    stats = stats if stats is not None else ReadStats()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        ends = consumer.end_offsets(partitions)
        per_partition = [_read_partition(consumer, tp, ends[tp], stats) for tp in partitions]
    finally:
        consumer.close()
    merged = heapq.merge(
        *per_partition, key=lambda r: (r.event.occurred_at, r.topic, r.partition, r.offset)
    )
    for record in merged:
        yield record.event
