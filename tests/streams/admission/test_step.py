"""The admission step's handling of one message, with a recording bus: what it sends
where, and that nothing it cannot forward is retried for ever."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError

from schemas.codec import decode, encode
from schemas.lead_events import LeadCaptured
from schemas.limits import MAX_EMAIL_CHARS, MAX_EVENT_BYTES
from schemas.system_events import EventRejected
from streams.admission import step
from streams.delivery.rejections import MAX_ORIGINAL_BYTES
from streams.identity.registry import Partner
from streams.runtime import Counters
from streams.settings import Settings
from tests.projections.admission.test_decide import as_published_by, one_of_each


@dataclass
class RecordingBus:
    sent: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    feeds: set[str] = field(default_factory=lambda: {"ns.out.acme"})
    too_large: set[str] = field(default_factory=set)

    async def send(self, topic: str, key: bytes, value: bytes) -> Awaitable[Any]:
        if topic in self.too_large:
            raise MessageSizeTooLargeError("over max_request_size")
        self.sent.append((topic, key, value))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def exists(self, topic: str) -> bool:
        return topic in self.feeds


@dataclass
class Registry:
    partners: dict[str, Partner]

    def get(self, partner_id: str) -> Partner | None:
        return self.partners.get(partner_id)


@dataclass
class FakeRuntime:
    settings: Settings = field(default_factory=lambda: Settings(namespace="ns", home=Path()))
    counters: Counters = field(default_factory=Counters)
    registry: Registry = field(
        default_factory=lambda: Registry({"acme": Partner("acme", "external", "2026-01-01")})
    )


def record(topic: str, key: bytes | None, value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, 7, 0, 0, key, value, None, len(key or b""), len(value), [])


def handled(bus: RecordingBus, message: ConsumerRecord[bytes, bytes]) -> FakeRuntime:
    rt = FakeRuntime()
    asyncio.run(step.handle(rt, bus, message))  # type: ignore[arg-type]
    return rt


def test_admitted_goes_to_the_lane_stamped_and_keyed_by_subject() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "acme")
    bus = RecordingBus()
    rt = handled(bus, record("ns.in.acme", event.subject.encode(), encode(event)))
    ((topic, key, value),) = bus.sent
    assert (topic, key) == ("ns.leads", event.subject.encode())
    assert decode(value).source_kind == "external"
    assert (rt.counters.admission_admitted, rt.counters.admission_refused) == (1, 0)


def test_a_refusal_goes_to_the_rejections_and_the_feed_with_the_person_sealed() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "globex")
    bus = RecordingBus()
    rt = handled(bus, record("ns.in.acme", event.subject.encode(), encode(event)))
    assert [topic for topic, _, _ in bus.sent] == ["ns.rejections", "ns.out.acme"]
    rejection = decode(bus.sent[0][2])
    assert isinstance(rejection, EventRejected)
    assert b"@example" not in bus.sent[0][2]
    assert rt.counters.admission_received == rt.counters.admission_refused == 1


def test_an_unknown_publisher_is_refused_on_the_rejections_topic_only() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "ghost")
    bus = RecordingBus(feeds={"ns.out.ghost"})
    handled(bus, record("ns.in.ghost", event.subject.encode(), encode(event)))
    assert [topic for topic, _, _ in bus.sent] == ["ns.rejections"]


def test_what_cannot_be_forwarded_is_refused_not_retried_for_ever() -> None:
    event = as_published_by(one_of_each()["LeadActivity"], "acme")
    bus = RecordingBus(too_large={"ns.leads"})
    rt = handled(bus, record("ns.in.acme", event.subject.encode(), encode(event)))
    assert [topic for topic, _, _ in bus.sent] == ["ns.rejections", "ns.out.acme"]
    refusal = decode(bus.sent[0][2])
    assert isinstance(refusal, EventRejected)
    assert "too large to forward" in refusal.data.reasons[0]
    assert rt.counters.admission_refused == 1


def test_an_oversized_original_is_kept_as_its_size_digest_and_prefix() -> None:
    bus = RecordingBus()
    original = os.urandom(MAX_ORIGINAL_BYTES + 1)
    rt = handled(bus, record("ns.in.acme", b"k", original))
    [(_, _, on_rejections), (_, _, on_feed)] = bus.sent
    assert on_feed == on_rejections
    rejection = decode(on_rejections)
    assert isinstance(rejection, EventRejected)
    assert rejection.data.original is not None
    assert original.startswith(base64.b64decode(rejection.data.original))
    assert f"limit of {MAX_EVENT_BYTES} bytes" in rejection.data.reasons[0]
    assert str(len(original)) in rejection.data.reasons[0]
    assert hashlib.sha256(original).hexdigest() in rejection.data.reasons[-1]
    assert len(on_rejections) < 1_000_000
    assert rt.counters.admission_received == rt.counters.admission_refused == 1


def with_email(email: str) -> LeadCaptured:
    """acme's LeadCaptured with ``email`` set unchecked (it may break the contract)."""
    event = as_published_by(one_of_each()["LeadCaptured"], "acme")
    assert isinstance(event, LeadCaptured)
    person = event.data.person.model_copy(update={"email": email})
    return event.model_copy(update={"data": event.data.model_copy(update={"person": person})})


def test_an_event_over_the_size_limit_is_refused_before_intake() -> None:
    big = with_email("a" * 800_000 + "@example.com")
    bus = RecordingBus()
    handled(bus, record("ns.in.acme", big.subject.encode(), encode(big)))
    assert [topic for topic, _, _ in bus.sent] == ["ns.rejections", "ns.out.acme"]
    rejection = decode(bus.sent[0][2])
    assert isinstance(rejection, EventRejected)
    assert f"limit of {MAX_EVENT_BYTES} bytes" in rejection.data.reasons[0]


def test_a_field_over_its_limit_is_named_with_its_size() -> None:
    big = with_email("a" * 300 + "@example.com")
    bus = RecordingBus()
    handled(bus, record("ns.in.acme", big.subject.encode(), encode(big)))
    rejection = decode(bus.sent[0][2])
    assert isinstance(rejection, EventRejected)
    expected = f"email: 312 characters, over the contract's limit of {MAX_EMAIL_CHARS}"
    assert expected in rejection.data.reasons[0]


def test_a_folded_activity_is_copied_to_its_partners_feed_only() -> None:
    from schemas.partner_system_events import PartnerActivity, PartnerActivityData
    from streams.admission.feeds import copy_activity

    def activity(partner: str) -> bytes:
        return encode(
            PartnerActivity(
                event_id=f"a-{partner}",
                subject=partner,
                occurred_at="2026-11-02T09:00:00Z",
                source="leadledger",
                data=PartnerActivityData(activity_id=f"a-{partner}", kind="share_sent"),
            )
        )

    bus = RecordingBus()
    rt = FakeRuntime()
    rt.bus = bus  # type: ignore[attr-defined]
    asyncio.run(copy_activity(rt, b"acme", activity("acme")))  # type: ignore[arg-type]
    asyncio.run(copy_activity(rt, b"globex", activity("globex")))  # type: ignore[arg-type]
    assert [(topic, key) for topic, key, _ in bus.sent] == [("ns.out.acme", b"acme")]
    assert rt.counters.feed_copies == 1
