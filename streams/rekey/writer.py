"""Records onto the key topic, each to the partition and under the record key it came
from, so the table a worker recovers from the changelog keeps the lead in its place."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from confluent_kafka import KafkaException, Producer

from streams.identity.clients import KafkaAccess

log = logging.getLogger(__name__)


class KeyTopicWriter(Protocol):
    def write(self, partition: int, key: bytes, value: bytes | None) -> None:
        """``value`` None writes a tombstone."""

    def flush(self) -> None:
        """Return once the broker has every record written; raise if one failed."""


class ProducerWriter:
    """acks=all and idempotent: a retried send never lands twice or out of order."""

    def __init__(self, kafka: KafkaAccess, topic: str) -> None:
        self.topic = topic
        self._producer = Producer(
            {
                **kafka.confluent(),
                "acks": "all",
                "enable.idempotence": True,
                "logger": log,
            }
        )
        self._failures: list[str] = []

    def _delivered(self, error: Any, _message: Any) -> None:
        if error is not None:
            self._failures.append(str(error))

    def write(self, partition: int, key: bytes, value: bytes | None) -> None:
        while True:
            try:
                self._producer.produce(
                    self.topic,
                    value=value,
                    key=key,
                    partition=partition,
                    on_delivery=self._delivered,
                )
                break
            except BufferError:  # the local queue is full: let the broker catch up
                self._producer.poll(1.0)
        self._producer.poll(0)

    def flush(self) -> None:
        left = self._producer.flush(60)
        if left or self._failures:
            raise KafkaException(
                f"{left} key records not acknowledged, failures: {self._failures[:3]}"
            )
