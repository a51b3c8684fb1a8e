"""The lead agent and sizes (issue 20): a message too large for what it causes ends in
a rejection that fits, counted once, never in a log line only.

Topics here refuse a value over 1,000,000 bytes at once, as Faust's producer does
(``ProducerSendError`` wrapping aiokafka's ``MessageSizeTooLargeError``), or fail its
delivery later, as the broker does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from faust.exceptions import ProducerSendError

from schemas.codec import decode, encode
from schemas.limits import MAX_EVENT_BYTES
from schemas.system_events import EventRejected
from streams.agents.lead import handle_lead_batch
from streams.delivery import table_writes
from streams.delivery.rejections import MAX_ORIGINAL_BYTES
from tests.streams.agents.test_lead_batch import FakeEvent, FakeMessage, HeldTopic, _events, _rt
from tests.support.leads import Lead

BROKER_LIMIT = 1_000_000


class LimitedTopic(HeldTopic):
    """Refuses a value over the broker's limit when it is handed over."""

    async def send(self, *, key: bytes, value: bytes, **kwargs: Any) -> asyncio.Future[Any]:
        if len(value) > BROKER_LIMIT:
            raise ProducerSendError(f"Error while sending: {MessageSizeTooLargeError()!r}")
        return await super().send(key=key, value=value, **kwargs)


class BrokenTopic(HeldTopic):
    """Refuses every send: the broker is away."""

    async def send(self, *, key: bytes, value: bytes, **kwargs: Any) -> asyncio.Future[Any]:
        raise ProducerSendError("Error while sending: KafkaConnectionError()")


def counted(rt: Any) -> tuple[int, int, int]:
    return rt.counters.received, rt.counters.processed, rt.counters.rejected


def rejections(rt: Any) -> list[EventRejected]:
    found = [decode(value) for value in rt.rejections_topic.sent]
    assert all(isinstance(r, EventRejected) for r in found)
    return found  # type: ignore[return-value]


async def test_900_kb_of_random_bytes_is_rejected_once_with_its_digest() -> None:
    rt = _rt()
    rt.rejections_topic = LimitedTopic()
    garbage = os.urandom(900_000)
    await handle_lead_batch(rt, [FakeEvent(FakeMessage(b"L-garbage", garbage, 0, 0))])
    assert counted(rt) == (1, 0, 1)  # was (1, 0, 2), and no rejection on the topic
    (rejection,) = rejections(rt)
    assert f"limit of {MAX_EVENT_BYTES} bytes" in rejection.data.reasons[0]
    assert hashlib.sha256(garbage).hexdigest() in rejection.data.reasons[-1]
    assert rejection.data.original is not None
    assert garbage.startswith(base64.b64decode(rejection.data.original))
    assert len(rt.rejections_topic.sent[0]) < BROKER_LIMIT


async def test_an_email_of_800000_characters_is_rejected_not_recorded() -> None:
    lead = Lead("L-long-email")
    event = lead.captured()
    person = event.data.person.model_copy(update={"email": "a" * 800_000 + "@example.com"})
    big = event.model_copy(update={"data": event.data.model_copy(update={"person": person})})
    rt = _rt(log=LimitedTopic())
    rt.rejections_topic = LimitedTopic()
    await handle_lead_batch(rt, _events([(big, 0)]))
    assert counted(rt) == (1, 0, 1)
    assert rt.lead_log_topic.sent == []
    (rejection,) = rejections(rt)
    assert f"event of {len(encode(big))} bytes" in rejection.data.reasons[0]
    assert lead.lead_id not in rt.leads


class RefusedOnDelivery(HeldTopic):
    """Takes every send and fails its delivery, as the broker does a message over its
    ``max.message.bytes`` that the producer let through."""

    async def send(self, *, key: bytes, value: bytes, **kwargs: Any) -> asyncio.Future[Any]:
        self.sent.append(value)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_exception(MessageSizeTooLargeError())
        return future


async def test_a_record_log_copy_refused_by_the_broker_ends_in_a_rejection_counted_once() -> None:
    lead = Lead("L-log-too-large")
    rt = _rt(log=RefusedOnDelivery())
    await handle_lead_batch(rt, _events([(lead.captured(), 0)]))
    assert len(rt.lead_log_topic.sent) == 2  # in the batch, then the event alone
    assert counted(rt) == (1, 0, 1)  # processed at first, then moved to rejected
    (rejection,) = rejections(rt)
    assert "MessageSizeTooLargeError" in rejection.data.reasons[0]
    assert lead.lead_id not in rt.leads


async def test_a_rejection_that_cannot_be_published_leaves_its_message_to_be_read_again() -> None:
    rt = _rt()
    rt.rejections_topic = BrokenTopic()
    with table_writes.collected() as writes:
        await handle_lead_batch(rt, [FakeEvent(FakeMessage(b"L-x", b"garbage", 0, 0))])
    assert not await table_writes.landed(writes)  # so the agent loop does not ack it
    assert counted(rt) == (0, 0, 0)  # counted when it is read again


def test_the_kept_prefix_and_the_limit_leave_room_under_the_broker_limit() -> None:
    # base64 of the largest original kept whole, plus the rest of the rejection
    assert MAX_ORIGINAL_BYTES * 4 // 3 + 50_000 < BROKER_LIMIT
    assert MAX_EVENT_BYTES <= MAX_ORIGINAL_BYTES
