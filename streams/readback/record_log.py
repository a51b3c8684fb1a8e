"""Read the record log (``<namespace>.lead-log``, ``<namespace>.agreement-log``) as it is.

For ``leadledger verify``: each partition in offset order, one after the other, and
nothing skipped. A subject's chain lives in one partition (the key is the subject), so
partition order is the order its links were written. Unlike ``logsource.read_topics``
(which leaves out what the worker would refuse), an undecodable or mis-keyed record
is kept as an unreadable entry: on the record log, which only the recorder writes, it
is evidence of tampering and must be reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kafka import KafkaConsumer, TopicPartition

from projections.verify import Entry
from schemas.codec import DecodeError, decode
from streams.broker.topics import RECORD_LOG_TOPICS, topic_name
from streams.identity.clients import KafkaAccess
from streams.readback.steps import NO_STEPS, Steps


class MissingTopicError(LookupError):
    pass


def record_log_topics(namespace: str) -> list[str]:
    return [topic_name(spec, namespace) for spec in RECORD_LOG_TOPICS]


def read_record_log(
    kafka: KafkaAccess, topics: Sequence[str], steps: Steps = NO_STEPS
) -> Iterator[Entry]:
    """Every record of ``topics`` up to their current end, partition by partition;
    ``steps`` expects the records up to the ends (the caller counts what it takes)."""
    consumer = KafkaConsumer(**kafka.kafka_python(), enable_auto_commit=False, group_id=None)
    try:
        partitions: list[TopicPartition] = []
        for topic in topics:
            found = consumer.partitions_for_topic(topic)
            if not found:
                where = kafka.bootstrap_servers
                raise MissingTopicError(f"topic {topic} does not exist on {where}")
            partitions += [TopicPartition(topic, p) for p in sorted(found)]
        ends: dict[TopicPartition, int] = consumer.end_offsets(partitions)
        steps.expect(sum(ends.values()))
        for tp in partitions:
            yield from _partition(consumer, tp, ends[tp])
    finally:
        consumer.close()


def _partition(consumer: KafkaConsumer, tp: TopicPartition, end: int) -> Iterator[Entry]:
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    while consumer.position(tp) < end:
        for message in consumer.poll(timeout_ms=1000, max_records=10_000).get(tp, []):
            if message.offset >= end:
                continue
            place = (tp.topic, tp.partition, message.offset)
            yield _entry(place, message.key, message.value)


def _entry(place: tuple[str, int, int], key: bytes | None, value: bytes | None) -> Entry:
    topic, partition, offset = place
    where = f"{topic}[{partition}]@{offset}"
    try:
        event = decode(value or b"", as_recorded=True)
    except DecodeError as exc:
        return Entry(where, None, f"undecodable record ({exc})")
    if key != event.subject.encode():
        return Entry(where, None, f"keyed {key!r}, not by its subject {event.subject!r}")
    return Entry(where, event, place=place)
