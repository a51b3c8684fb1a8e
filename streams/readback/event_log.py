"""Read the event log back out of Kafka, in a deterministic order, with librdkafka.

Per-subject order is what the folds depend on, and Kafka keeps it per partition. The
records are ordered by event time, each subject's own records kept in their log order
(see ``event_time_order``); ties go by (topic, partition, offset), so the same topics
always give the same sequence.

The records are read with librdkafka (``streams.readback.partitions``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.codec import DecodeError, decode
from schemas.events import Event
from streams.identity.clients import KafkaAccess
from streams.readback.partitions import drain, ends_now, reader
from streams.readback.steps import NO_STEPS, Steps

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


def _read_all(
    consumer: Any, ends: dict[tuple[str, int], int], stats: ReadStats, steps: Steps
) -> dict[tuple[str, int], list[LogRecord]]:
    records: dict[tuple[str, int], list[LogRecord]] = {tp: [] for tp in ends}
    for message in drain(consumer, ends):
        stats.records += 1
        steps.advance()
        try:
            event = decode(message.value(), as_recorded=True)
        except DecodeError:
            # Undecodable input never entered the log of record: the worker rejected
            # it to the rejections topic, with its bytes.
            stats.undecodable += 1
            continue
        if message.key() != event.subject.encode():
            # The worker refuses an event not keyed by its subject (it could sit on
            # another lead's partition, out of that lead's order), so the log of
            # record leaves it out too.
            stats.miskeyed += 1
            continue
        topic, partition = message.topic(), message.partition()
        out = records[(topic, partition)]
        out.append(LogRecord(topic, partition, message.offset(), message.timestamp()[1], event))
    return records


def read_topics(
    kafka: KafkaAccess,
    topics: Sequence[str],
    stats: ReadStats | None = None,
    steps: Steps = NO_STEPS,
) -> Iterator[Event]:
    """Every decodable event of ``topics`` from the start up to their current end.

    ``steps`` expects the records up to the ends (the log is kept forever, so that is
    what there is to read) and advances by each record read."""
    stats = stats if stats is not None else ReadStats()
    consumer = reader(kafka)
    try:
        ends = ends_now(consumer, topics)
        steps.expect(sum(ends.values()))
        by_partition = _read_all(consumer, ends, stats, steps)
    finally:
        consumer.close()
    for record in event_time_order(list(by_partition.values())):
        yield record.event


def event_time_order(per_partition: Sequence[list[LogRecord]]) -> list[LogRecord]:
    """All records by event time, each subject's own records in their log order.

    A partition's times need not grow (a backdated import, a partner catching up), so a
    plain merge of partitions can put one subject's event behind a much later one of
    another subject that shares its partition. Each record is ranked instead by the
    latest time its subject has reached so far: that rank never goes down along a
    subject's records, so sorting by it keeps every subject's order and otherwise
    follows event time.
    """
    ranked: list[tuple[datetime, str, int, int, LogRecord]] = []
    for records in per_partition:
        reached: dict[str, datetime] = {}
        for r in records:
            when = max(r.event.occurred_at, reached.get(r.event.subject, r.event.occurred_at))
            reached[r.event.subject] = when
            ranked.append((when, r.topic, r.partition, r.offset, r))
    ranked.sort(key=lambda row: row[:4])
    return [row[4] for row in ranked]
