"""Apache Avro's Java library and the live worker on a real broker, both ways.

Java's ``BinaryMessageEncoder`` writes one event of every type a partner publishes;
the bytes go to the worker's intake topics as they are, and the worker applies every
one (its views equal an auditor's replay of the events, nothing is rejected). Then
Java's ``BinaryMessageDecoder`` reads an ``EscalationRaised`` and a
``NotificationRaised`` exactly as the worker wrote them to its output topics.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import pytest

from projections.dispute.state import dispute_view
from projections.policy import Policy
from projections.replay import replay
from schemas.codec import decode
from schemas.events import PARTNER_EVENT_TYPES
from schemas.system_events import EscalationRaised, EventRejected, NotificationRaised
from streams.broker.topics import (
    AGREEMENTS,
    ESCALATIONS,
    LEADS,
    NOTIFICATIONS,
    REJECTIONS,
    topic_name,
)
from tests.integration.test_partnership_live import settle, views_of
from tests.support.avro_java import AvroJava
from tests.support.every_type import every_partner_type, intake_of
from tests.support.kafka_io import producer, publish_raw, read_raw_to_end, read_raw_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration


def _micros(when: datetime) -> int:
    return int(when.timestamp()) * 1_000_000 + when.microsecond


def test_java_encoded_events_are_applied_and_java_reads_what_the_worker_wrote(
    live_worker: LiveWorker, avro_java: AvroJava
) -> None:
    tag = f"j{uuid.uuid4().hex[:6]}"
    events = every_partner_type(tag)
    assert {e.type for e in events} == PARTNER_EVENT_TYPES
    java = avro_java.encode_events(events)
    topics = {
        "leads": topic_name(LEADS, live_worker.namespace),
        "agreements": topic_name(AGREEMENTS, live_worker.namespace),
    }
    # Run by run, each applied before the next (a share needs its agreement in force).
    published: list[Any] = []
    with producer(live_worker.bootstrap) as prod:
        pairs = zip(events, java, strict=True)
        for topic, run in groupby(pairs, key=lambda pair: intake_of(pair[0])):
            for event, payload in run:
                publish_raw(prod, topics[topic], event.subject.encode(), payload)
                published.append(event)
            now = datetime.now(UTC)
            settle(live_worker, views_of(replay(published, now, Policy()), now, published))

    now = datetime.now(UTC)
    expected = replay(events, now, Policy())
    assert expected.rejections == []
    settle(live_worker, views_of(expected, now, events))
    dispute = f"D-{tag}"
    assert live_worker.wait_for(f"/disputes/{dispute}").json() == dispute_view(
        expected.disputes[dispute]
    )
    lead = live_worker.wait_for(f"/leads/L-{tag}").json()
    assert (lead["status"], lead["person"]) == ("OPPORTUNITY", {"erased": True})

    # Nothing of the scenario was refused: no rejection names one of its events or subjects.
    ours = {e.event_id for e in events}
    subjects = {e.subject for e in events}
    refused = [
        decode(value)
        for _, value in read_raw_to_end(
            live_worker.bootstrap, topic_name(REJECTIONS, live_worker.namespace)
        )
    ]
    assert not [
        r
        for r in refused
        if r.subject in subjects
        or (isinstance(r, EventRejected) and r.data.rejected_event_id in ours)
    ]
    counters = live_worker.stats()["counters"]
    assert counters["received"] == counters["processed"] + counters["rejected"]

    # Java reads the worker's own output, as a subscriber with BinaryMessageDecoder would.
    idle = f"L-{tag}-idle"
    (escalation,) = [e for e in expected.escalations if e.subject == idle]
    assert isinstance(escalation, EscalationRaised)
    mine = idle.encode()

    def escalated(found: list[tuple[bytes | None, bytes]]) -> bool:
        return any(key == mine for key, _ in found)

    raw = read_raw_until(
        live_worker.bootstrap, topic_name(ESCALATIONS, live_worker.namespace), escalated
    )
    (written,) = [value for key, value in raw if key == mine]
    assert decode(written) == escalation
    (read,) = avro_java.decode("EscalationRaised", [written])
    body = json.loads(read)
    assert (body["type"], body["subject"], body["source"]) == (
        "EscalationRaised",
        idle,
        "leadledger",
    )
    assert body["data"] == {
        "escalation_id": escalation.data.escalation_id,
        "rule": "MQL_NOT_ASSIGNED",
        "due_at": _micros(escalation.data.due_at),
        "notify": list(escalation.data.notify),
        "action": escalation.data.action,
        "details": escalation.data.details,
    }

    lead_key = f"L-{tag}".encode()

    def mql_notices(found: list[tuple[bytes | None, bytes]]) -> list[bytes]:
        return [
            value
            for key, value in found
            if key == lead_key
            and isinstance(notice := decode(value), NotificationRaised)
            and notice.data.kind == "mql_to_sales"
        ]

    raw = read_raw_until(
        live_worker.bootstrap,
        topic_name(NOTIFICATIONS, live_worker.namespace),
        lambda found: bool(mql_notices(found)),
    )
    (written,) = mql_notices(raw)
    notification = decode(written)
    assert isinstance(notification, NotificationRaised)
    (read,) = avro_java.decode("NotificationRaised", [written])
    body = json.loads(read)
    assert (body["type"], body["subject"], body["event_id"]) == (
        "NotificationRaised",
        f"L-{tag}",
        notification.event_id,
    )
    assert body["occurred_at"] == _micros(notification.occurred_at)
    assert body["data"] == {
        "notification_id": notification.data.notification_id,
        "kind": "mql_to_sales",
        "notify": ["marketing"],
        "details": notification.data.details,
    }
