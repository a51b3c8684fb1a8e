"""The first slice, live: kafka-python publishes, the real worker folds, HTTP answers."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from schemas.events import Event
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadCaptured,
    LeadCapturedData,
    Person,
)
from schemas.system_events import EventRejected
from streams.broker.topics import LEADS, REJECTIONS, topic_name
from tests.support.kafka_io import producer, publish, publish_raw, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def captured(lead_id: str) -> LeadCaptured:
    return LeadCaptured(
        event_id=f"{lead_id}-captured",
        subject=lead_id,
        occurred_at=T0,
        source="partner-a",
        data=LeadCapturedData(person=Person(email=f"{lead_id}@example.com"), industry="saas"),
    )


def activity(lead_id: str, n: int, points: int) -> LeadActivity:
    return LeadActivity(
        event_id=f"{lead_id}-activity-{n}",
        subject=lead_id,
        occurred_at=T0 + timedelta(minutes=n),
        source="partner-a",
        data=LeadActivityData(activity="web_visit", points=points),
    )


def rejections_of(events: list[Event]) -> list[EventRejected]:
    return [e for e in events if isinstance(e, EventRejected)]


def test_published_lead_shows_up_over_http(live_worker: LiveWorker) -> None:
    lead_id = f"lead-{uuid.uuid4().hex[:8]}"
    with producer(live_worker.bootstrap) as prod:
        publish(
            prod,
            topic_name(LEADS, live_worker.namespace),
            captured(lead_id),
            activity(lead_id, 1, 7),
        )

    view = live_worker.wait_for(f"/leads/{lead_id}", timeout=20).json()
    # A captured lead is RAW with 0 points; its first response makes it an INQUIRY.
    while view["score"] != 7:
        view = live_worker.wait_for(f"/leads/{lead_id}").json()
    assert view["lead_id"] == lead_id
    assert view["status"] == "INQUIRY"
    assert view["owner"] is None


def test_unknown_lead_is_404(live_worker: LiveWorker) -> None:
    response = live_worker.get("/leads/no-such-lead")
    assert response.status_code == 404
    assert "no-such-lead" in response.json()["error"]


def test_garbage_and_invalid_events_are_rejected_with_reason(live_worker: LiveWorker) -> None:
    leads = topic_name(LEADS, live_worker.namespace)
    garbage = b"\x00\x01 definitely not avro " + uuid.uuid4().bytes
    orphan = activity(f"never-captured-{uuid.uuid4().hex[:6]}", 1, 3)
    with producer(live_worker.bootstrap) as prod:
        publish_raw(prod, leads, b"garbage-key", garbage)
        publish(prod, leads, orphan)

    def both_seen(events: list[Event]) -> bool:
        found = rejections_of(events)
        return any(r.data.original == base64.b64encode(garbage).decode() for r in found) and any(
            r.data.rejected_event_id == orphan.event_id for r in found
        )

    found = rejections_of(
        read_until(live_worker.bootstrap, topic_name(REJECTIONS, live_worker.namespace), both_seen)
    )
    by_original = {r.data.original: r for r in found}
    garbage_rejection = by_original[base64.b64encode(garbage).decode()]
    assert garbage_rejection.data.topic == leads
    assert any("single-object" in reason for reason in garbage_rejection.data.reasons)
    orphan_rejection = next(r for r in found if r.data.rejected_event_id == orphan.event_id)
    assert orphan_rejection.subject == orphan.subject
    assert orphan_rejection.data.reasons

    # The worker kept running, and every message it read was processed or rejected.
    counters = live_worker.stats()["counters"]
    assert counters["received"] == counters["processed"] + counters["rejected"]
    assert counters["rejected"] >= 2
