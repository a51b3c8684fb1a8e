"""kafka-python helpers for tests: publish events as partners do, read topics back."""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.events import Event
from tests.support.kafka_auth import kafka_config


def producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(**kafka_config(bootstrap), acks="all", linger_ms=5)


def publish(prod: KafkaProducer, topic: str, *events: Envelope) -> None:
    """Publish each event keyed by its subject, and wait until the broker has them."""
    futures = [prod.send(topic, key=e.subject.encode(), value=encode(e)) for e in events]
    prod.flush()
    for future in futures:
        future.get(timeout=10)


def publish_raw(prod: KafkaProducer, topic: str, key: bytes | None, value: bytes) -> None:
    prod.send(topic, key=key, value=value).get(timeout=10)


def read_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Event]], bool],
    timeout: float = 30.0,
) -> list[Event]:
    """Read ``topic`` from the start until ``done(events)`` holds or time runs out."""
    consumer = KafkaConsumer(
        topic,
        **kafka_config(bootstrap),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=500,
    )
    events: list[Event] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done(events):
            events.extend(decode(message.value) for message in consumer)
    finally:
        consumer.close()
    return events


def read_raw_to_end(bootstrap: str, topic: str) -> list[tuple[bytes | None, bytes]]:
    """Every (key, value) of ``topic`` up to its end offsets as of the call, undecoded."""
    consumer = KafkaConsumer(**kafka_config(bootstrap), enable_auto_commit=False, group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends: dict[TopicPartition, int] = consumer.end_offsets(partitions)
        found: list[tuple[bytes | None, bytes]] = []
        while any(consumer.position(tp) < end for tp, end in ends.items()):
            for tp, messages in consumer.poll(timeout_ms=1000).items():
                found += [(m.key, m.value) for m in messages if m.offset < ends[tp]]
        return found
    finally:
        consumer.close()


def read_raw_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[tuple[bytes | None, bytes]]], bool],
    timeout: float = 30.0,
) -> list[tuple[bytes | None, bytes]]:
    """Like :func:`read_until`, undecoded: (key, value) as the worker wrote them."""
    consumer = KafkaConsumer(
        topic,
        **kafka_config(bootstrap),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=500,
    )
    found: list[tuple[bytes | None, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not done(found):
            found.extend((message.key, message.value) for message in consumer)
    finally:
        consumer.close()
    return found
