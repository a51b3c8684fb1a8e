"""The agents' sends reach Faust's aiokafka producer without Faust's wrapping
(``streams/delivery/direct_send.py``): same topic, key, value, partition and headers,
aiokafka's future handed back, a Kafka error raised as Faust raised it."""

from __future__ import annotations

import asyncio
from typing import Any

import faust
import pytest
from aiokafka.errors import MessageSizeTooLargeError
from faust import Topic
from faust.exceptions import ProducerSendError

from streams.delivery.direct_send import DirectTopic


class FakeProducer:
    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.error = error

    async def send(self, topic: str, value: bytes, **kwargs: Any) -> asyncio.Future[Any]:
        if self.error is not None:
            raise self.error
        self.calls.append((topic, value, kwargs))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result("metadata")
        return future


def _topic(producer: FakeProducer | None) -> DirectTopic:
    app = faust.App("direct-send-test", broker="kafka://localhost:1", autodiscover=False)
    app.producer._producer = producer  # type: ignore[attr-defined]  # Faust's aiokafka driver
    return DirectTopic(
        app,
        topics=["t.lead-log"],
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )


async def test_a_send_goes_to_the_aiokafka_producer_as_given() -> None:
    producer = FakeProducer()
    topic = _topic(producer)
    sent = await topic.send(key=b"L-1", value=b"v", partition=3, headers=[("intake", b"3:7")])
    assert await sent == "metadata"
    assert producer.calls == [
        ("t.lead-log", b"v", {"key": b"L-1", "partition": 3, "headers": [("intake", b"3:7")]})
    ]


async def test_a_kafka_error_at_the_send_is_fausts_send_error() -> None:
    topic = _topic(FakeProducer(MessageSizeTooLargeError()))
    with pytest.raises(ProducerSendError, match="MessageSizeTooLargeError"):
        await topic.send(key=b"L-1", value=b"v")


async def test_before_the_producer_started_fausts_path_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    through_faust: list[dict[str, Any]] = []

    async def faust_send(self: Any, **kwargs: Any) -> str:
        through_faust.append(kwargs)
        return "faust"

    monkeypatch.setattr(Topic, "send", faust_send)
    topic = _topic(None)
    assert await topic.send(key=b"L-1", value=b"v") == "faust"
    assert through_faust == [{"key": b"L-1", "value": b"v", "partition": None, "headers": None}]
