"""An event id reused with other content, on the real broker with a real worker (issue
20, item 4): refused with a reason naming the first event, on the rejections topic and
the publisher's feed, counted as rejected; a true redelivery stays a silent duplicate.
Through the internal intake, a partner's publish topic and the HTTP door (409)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer

from schemas.events import Event, parse_event
from schemas.system_events import EventRejected
from streams.broker.admin import create_partner_topics
from streams.broker.topics import LEADS, REJECTIONS, feed_topic_name, publish_topic_name, topic_name
from streams.identity import registry
from streams.web.token_store import issue
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
PARTNER = f"reuser-{RUN}"
WHEN = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


@pytest.fixture(scope="module")
def prod(live_worker: LiveWorker) -> Iterator[KafkaProducer]:
    made = producer(live_worker.bootstrap)
    yield made
    made.close()


@pytest.fixture(scope="module")
def partner_token(live_worker: LiveWorker) -> str:
    """An external partner with its topics and an HTTP token."""
    registry.add(registry.registry_path(live_worker.home), PARTNER, "external")
    create_partner_topics(kafka_config(live_worker.bootstrap), live_worker.namespace, PARTNER)
    _, token = issue(live_worker.tokens_path, "partner", partner_id=PARTNER)
    return token


def capture(lead: str, email: str, source: str, event_id: str | None = None) -> Event:
    return parse_event(
        {
            "event_id": event_id or f"{lead}-captured",
            "type": "LeadCaptured",
            "subject": lead,
            "occurred_at": WHEN,
            "source": source,
            "data": {"person": {"email": email}},
        }
    )


def rejections_of(live_worker: LiveWorker, topic: str, event_id: str) -> list[EventRejected]:
    def mine(e: Event) -> bool:
        return isinstance(e, EventRejected) and e.data.rejected_event_id == event_id

    found = read_until(live_worker.bootstrap, topic, lambda es: any(mine(e) for e in es), 60)
    return [e for e in found if isinstance(e, EventRejected) and mine(e)]


def wait_until(what: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer := what():
            return answer
        time.sleep(0.3)
    pytest.fail("timed out")


def email_of(live_worker: LiveWorker, lead: str) -> str:
    view = live_worker.wait_for(f"/leads/{lead}").json()
    email: str = view["person"]["email"]
    return email


def assert_balanced(live_worker: LiveWorker) -> None:
    def balanced() -> bool:
        c = live_worker.stats()["counters"]
        return bool(c["received"] == c["processed"] + c["rejected"])

    wait_until(balanced)


def test_the_internal_intake_refuses_a_reused_id_and_skips_a_redelivery(
    live_worker: LiveWorker, prod: KafkaProducer
) -> None:
    lead = f"L-reuse-intake-{RUN}"
    leads = topic_name(LEADS, live_worker.namespace)
    first = capture(lead, "first@example.com", "crm")
    publish(prod, leads, first)
    assert email_of(live_worker, lead) == "first@example.com"
    before = live_worker.stats()["counters"]
    # A redelivery, then the reuse: once the reuse's rejection is out, the redelivery
    # before it on the same partition was handled too, and it was not rejected.
    publish(prod, leads, first, capture(lead, "other@example.com", "crm"))
    (rejection,) = rejections_of(
        live_worker, topic_name(REJECTIONS, live_worker.namespace), first.event_id
    )
    (reason,) = rejection.data.reasons
    assert first.event_id in reason
    assert "already used by another event" in reason
    assert email_of(live_worker, lead) == "first@example.com"
    after = wait_until(
        lambda: (c := live_worker.stats()["counters"])["received"] >= before["received"] + 2 and c
    )
    assert after["duplicates"] >= before["duplicates"] + 1
    assert after["rejected"] >= before["rejected"] + 1
    assert_balanced(live_worker)


def test_a_partner_topic_reuse_is_refused_on_the_partners_feed(
    live_worker: LiveWorker, prod: KafkaProducer, partner_token: str
) -> None:
    lead = f"L-reuse-topic-{RUN}"
    on_topic = publish_topic_name(live_worker.namespace, PARTNER)
    first = capture(lead, "first@example.com", PARTNER)
    publish(prod, on_topic, first)
    assert email_of(live_worker, lead) == "first@example.com"
    publish(prod, on_topic, first, capture(lead, "other@example.com", PARTNER))
    feed = feed_topic_name(live_worker.namespace, PARTNER)
    (rejection,) = rejections_of(live_worker, feed, first.event_id)
    assert first.event_id in rejection.data.reasons[0]
    assert "already used by another event" in rejection.data.reasons[0]
    assert email_of(live_worker, lead) == "first@example.com"
    assert_balanced(live_worker)


def post(live_worker: LiveWorker, token: str, event: Event) -> httpx.Response:
    body = event.model_dump(mode="json", exclude={"record", "source_kind"})
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.post(f"{live_worker.base_url}/events", json=body, headers=headers, timeout=30)


def test_the_http_door_answers_409_for_a_reused_id_and_202_for_a_repost(
    live_worker: LiveWorker, partner_token: str
) -> None:
    lead = f"L-reuse-door-{RUN}"
    first = capture(lead, "first@example.com", PARTNER)
    assert post(live_worker, partner_token, first).status_code == 202
    assert email_of(live_worker, lead) == "first@example.com"
    again = post(live_worker, partner_token, first)
    assert again.status_code == 202, again.text  # the same content: a redelivery
    reused = post(live_worker, partner_token, capture(lead, "other@example.com", PARTNER))
    assert reused.status_code == 409, reused.text
    (error,) = reused.json()["errors"]
    assert error["event_id"] == first.event_id
    assert first.event_id in error["reasons"][0]
    assert "already used by another event" in error["reasons"][0]
    assert email_of(live_worker, lead) == "first@example.com"
