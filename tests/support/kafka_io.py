"""kafka-python helpers for tests: publish events as partners do, read topics back."""

from __future__ import annotations

import time
from collections.abc import Callable

from kafka import KafkaConsumer, KafkaProducer

from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.events import Event


def producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)


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
        bootstrap_servers=bootstrap,
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
