"""Hostile sizes on the real broker with a real worker (issue 20, items 1, 2 and 7).

Everything a publisher can send within the broker's limits ends as an applied event or
as a rejection that fits the rejections topic: 900 kB of random bytes from a default
producer, a valid ``LeadCaptured`` whose email is 800,000 characters, and a 5 MB event
that the producer compressed under the broker's 1 MB limit, each on the internal
intake ``<ns>.leads`` and on a partner's publish topic ``<ns>.in.<partner>``. The
worker's counters move by exactly the messages sent: every message counted once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kafka import KafkaProducer

from schemas.codec import encode
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person
from schemas.limits import MAX_EVENT_BYTES
from schemas.system_events import EventRejected
from streams.broker.admin import create_partner_topics
from streams.broker.topics import LEADS, REJECTIONS, publish_topic_name, topic_name
from streams.delivery.rejections import MAX_ORIGINAL_BYTES
from streams.identity import registry
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
PARTNER = f"sizes-{RUN}"
WHEN = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
COUNTED = ("received", "processed", "rejected")


def captured(lead: str, source: str, **person: str) -> LeadCaptured:
    """A LeadCaptured; ``person`` fields may exceed the contract (set without checks)."""
    event = LeadCaptured(
        event_id=f"{lead}-captured",
        subject=lead,
        occurred_at=WHEN,
        source=source,
        data=LeadCapturedData(person=Person(email=f"{lead}@example.com")),
    )
    oversized = event.data.person.model_copy(update=person)
    return event.model_copy(update={"data": event.data.model_copy(update={"person": oversized})})


def oversized_cases(prefix: str, source: str) -> dict[str, tuple[bytes, bytes, str]]:
    """name -> (key, value, compression): the three cases of the issue."""
    long_email = "a" * 800_000 + "@example.com"
    huge = captured(f"{prefix}-huge-{RUN}", source, company="x" * 5_000_000)
    email = captured(f"{prefix}-email-{RUN}", source, email=long_email)
    return {
        "random": (f"{prefix}-random-{RUN}".encode(), os.urandom(900_000), "none"),
        "email": (email.subject.encode(), encode(email), "none"),
        "gzip": (huge.subject.encode(), encode(huge), "gzip"),
    }


@pytest.fixture(scope="module")
def producers(live_worker: LiveWorker) -> Iterator[dict[str, KafkaProducer]]:
    config = kafka_config(live_worker.bootstrap)
    made = {
        "none": KafkaProducer(**config, acks="all"),
        # The client's own limit is on the uncompressed message; the broker's 1 MB
        # applies to the compressed batch, which this one fits.
        "gzip": KafkaProducer(
            **config, acks="all", compression_type="gzip", max_request_size=8_000_000
        ),
    }
    yield made
    for each in made.values():
        each.close()


@pytest.fixture(scope="module")
def partner(live_worker: LiveWorker) -> str:
    registry.add(registry.registry_path(live_worker.log_path.parent), PARTNER, "internal")
    create_partner_topics(kafka_config(live_worker.bootstrap), live_worker.namespace, PARTNER)
    return PARTNER


def send(prod: KafkaProducer, topic: str, key: bytes, value: bytes) -> tuple[int, int]:
    metadata = prod.send(topic, key=key, value=value).get(timeout=30)
    return metadata.partition, metadata.offset


def counters(live_worker: LiveWorker) -> dict[str, int]:
    found: dict[str, int] = live_worker.stats()["counters"]
    return found


def settled(live_worker: LiveWorker, before: dict[str, int], received: int) -> dict[str, int]:
    """The counters once ``received`` more messages were handled and all balance."""
    deadline = time.monotonic() + 120
    now = counters(live_worker)
    while time.monotonic() < deadline:
        now = counters(live_worker)
        moved = now["received"] - before["received"]
        if moved >= received and now["received"] == now["processed"] + now["rejected"]:
            return now
        time.sleep(0.5)
    pytest.fail(f"counters did not settle: before {before}, now {now}\n{live_worker.log_tail()}")


def rejections_of(
    live_worker: LiveWorker, places: dict[str, tuple[str, int, int]]
) -> dict[str, EventRejected]:
    """The rejection of each (topic, partition, offset), waited for."""
    wanted = {place: name for name, place in places.items()}

    def where(event: Any) -> tuple[str, int, int] | None:
        if not isinstance(event, EventRejected):
            return None
        data = event.data
        return (data.topic or "", data.partition or 0, data.offset or 0)

    def done(events: list[Any]) -> bool:
        return set(wanted) <= {where(e) for e in events}

    topic = topic_name(REJECTIONS, live_worker.namespace)
    found = read_until(live_worker.bootstrap, topic, done, timeout=120)
    rejections = [e for e in found if isinstance(e, EventRejected)]
    by_name = {wanted[p]: e for e in rejections if (p := where(e)) is not None and p in wanted}
    missing = sorted(set(places) - set(by_name))
    assert not missing, f"no rejection for {missing}\n{live_worker.log_tail()}"
    return by_name


def assert_kept_as_digest(rejection: EventRejected, value: bytes) -> None:
    """A rejection of an oversized message keeps its size, SHA-256 and a prefix."""
    digest = hashlib.sha256(value).hexdigest()
    assert any(digest in r and str(len(value)) in r for r in rejection.data.reasons), (
        rejection.data.reasons
    )
    assert rejection.data.original is not None
    kept = base64.b64decode(rejection.data.original)
    assert len(kept) <= MAX_ORIGINAL_BYTES
    assert value.startswith(kept)
    assert len(encode(rejection)) < 1_000_000


def test_oversized_input_on_intake_ends_in_a_rejection_that_fits(
    live_worker: LiveWorker, producers: dict[str, KafkaProducer]
) -> None:
    """Good, bad and oversized messages on ``<ns>.leads``: each counted once, the
    oversized and the bad each rejected, with the size limit named in the reason."""
    leads = topic_name(LEADS, live_worker.namespace)
    cases = oversized_cases("intake", "crm")
    good = [captured(f"intake-good-{i}-{RUN}", "crm") for i in range(5)]
    before = counters(live_worker)
    assert before["received"] == before["processed"] + before["rejected"], before
    places: dict[str, tuple[str, int, int]] = {}
    for name, (key, value, compression) in cases.items():
        places[name] = (leads, *send(producers[compression], leads, key, value))
    places["garbage"] = (leads, *send(producers["none"], leads, b"intake-garbage", b"garbage"))
    for event in good:
        send(producers["none"], leads, event.subject.encode(), encode(event))
    after = settled(live_worker, before, received=len(places) + len(good))
    assert after["received"] - before["received"] == len(places) + len(good)
    assert after["processed"] - before["processed"] == len(good)
    assert after["rejected"] - before["rejected"] == len(places)
    rejected = rejections_of(live_worker, places)
    for name in ("random", "email", "gzip"):
        assert_kept_as_digest(rejected[name], cases[name][1])
    assert any(f"limit of {MAX_EVENT_BYTES} bytes" in r for r in rejected["email"].data.reasons)
    assert any(f"limit of {MAX_EVENT_BYTES} bytes" in r for r in rejected["gzip"].data.reasons)
    for event in good:
        live_worker.wait_for(f"/leads/{event.subject}")


def test_oversized_input_on_a_publish_topic_is_refused_by_admission(
    live_worker: LiveWorker, producers: dict[str, KafkaProducer], partner: str
) -> None:
    """The same cases on ``<ns>.in.<partner>``: refused by the admission step, before
    intake and the record log, each refusal fitting the rejections topic."""
    topic = publish_topic_name(live_worker.namespace, partner)
    cases = oversized_cases("partner", partner)
    good = [captured(f"partner-good-{i}-{RUN}", partner) for i in range(3)]
    before = counters(live_worker)
    places: dict[str, tuple[str, int, int]] = {}
    for name, (key, value, compression) in cases.items():
        places[name] = (topic, *send(producers[compression], topic, key, value))
    for event in good:
        send(producers["none"], topic, event.subject.encode(), encode(event))
    rejected = rejections_of(live_worker, places)
    for name in ("random", "email", "gzip"):
        assert_kept_as_digest(rejected[name], cases[name][1])
    assert any(f"limit of {MAX_EVENT_BYTES} bytes" in r for r in rejected["email"].data.reasons)
    for event in good:
        live_worker.wait_for(f"/leads/{event.subject}")
    after = settled(live_worker, before, received=len(good))
    assert after["admission_received"] - before["admission_received"] == len(cases) + len(good)
    assert after["admission_refused"] - before["admission_refused"] == len(cases)
    assert after["admission_admitted"] - before["admission_admitted"] == len(good)
    # Only the admitted reached intake: nothing oversized was forwarded.
    assert after["received"] - before["received"] == len(good)
    assert after["processed"] - before["processed"] == len(good)
