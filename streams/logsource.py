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


def _read_all(
    consumer: KafkaConsumer, ends: dict[TopicPartition, int], stats: ReadStats
) -> dict[TopicPartition, list[LogRecord]]:
    """Every record up to ``ends``, all partitions fetched together.

    One partition at a time cost a fetch wait (``fetch_max_wait_ms``) at the end of
    each; fetching them together keeps the broker's batches flowing.
    """
    records: dict[TopicPartition, list[LogRecord]] = {tp: [] for tp in ends}
    pending = {tp for tp, end in ends.items() if end > 0}
    consumer.assign(list(ends))
    consumer.seek_to_beginning(*ends)
    while pending:
        for tp, batch in consumer.poll(timeout_ms=1000, max_records=50_000).items():
            out = records[tp]
            for message in batch:
                if message.offset >= ends[tp]:
                    continue
                stats.records += 1
                try:
                    event = decode(message.value)
                except DecodeError:
                    # Undecodable input never entered the log of record: the worker
                    # rejected it to the rejections topic, with its bytes.
                    stats.undecodable += 1
                    continue
                out.append(
                    LogRecord(tp.topic, tp.partition, message.offset, message.timestamp, event)
                )
        pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
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
        by_partition = _read_all(consumer, ends, stats)
        per_partition = [by_partition[tp] for tp in partitions]
    finally:
        consumer.close()
    merged = heapq.merge(
        *per_partition, key=lambda r: (r.event.occurred_at, r.topic, r.partition, r.offset)
    )
    for record in merged:
        yield record.event
