"""The producer the admission step, the feeds and the HTTP door share, and which topics
exist on the broker.

Topics are never created by a send (``auto.create.topics.enable=false``), and a send to
a topic that does not exist waits for its metadata until the request times out. So a
copy for a partner whose feed was never created is skipped (and logged), not awaited:
one unprovisioned partner must not hold up everyone's admission.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Mapping
from typing import Any

from aiokafka import AIOKafkaProducer

REFRESH_SECONDS = 5.0


class Bus:
    def __init__(self, client: Mapping[str, Any]) -> None:
        # aiokafka's connection settings: bootstrap servers and the worker's credentials.
        self.client = dict(client)
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._topics: frozenset[str] = frozenset()
        self._refreshed = 0.0

    async def producer(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                # Idempotent with acks=all: retries neither reorder nor double a
                # partition's messages, so one subject's events stay in order.
                producer = AIOKafkaProducer(**self.client, acks="all", enable_idempotence=True)
                await producer.start()
                self._producer = producer
            return self._producer

    async def send(self, topic: str, key: bytes, value: bytes) -> Awaitable[Any]:
        """Hand one message to the producer; the future says when the broker has it."""
        producer = await self.producer()
        sent: Awaitable[Any] = await producer.send(topic, key=key, value=value)
        return sent

    async def exists(self, topic: str) -> bool:
        """Whether ``topic`` exists, from metadata at most ``REFRESH_SECONDS`` old (a
        topic not known yet is asked for again at once, at most that often)."""
        now = time.monotonic()
        if topic not in self._topics and now - self._refreshed >= REFRESH_SECONDS:
            producer = await self.producer()
            metadata = await producer.client.fetch_all_metadata()
            self._topics, self._refreshed = frozenset(metadata.topics()), now
        return topic in self._topics

    async def close(self) -> None:
        async with self._lock:
            if self._producer is not None:
                await self._producer.stop()
                self._producer = None
