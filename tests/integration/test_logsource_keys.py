"""The auditors' log leaves out what the worker refused for its key.

Regression (fault harness, bad input): an event keyed by something other than its
subject is rejected live, but ``replay kafka`` and ``export`` applied it, so the
auditor's answer differed from the live system's.
"""

from __future__ import annotations

import uuid

import pytest

from schemas.codec import encode
from streams.broker.topics import LEADS, topic_name
from streams.readback.event_log import ReadStats, read_topics
from tests.support.kafka_auth import client_access
from tests.support.kafka_io import producer, publish, publish_raw
from tests.support.leads import Lead, at

pytestmark = pytest.mark.integration


def test_miskeyed_events_are_not_in_the_log_of_record(
    kafka_bootstrap: str, test_namespace: str, created_topics: list[str]
) -> None:
    lead = Lead(f"keys-{uuid.uuid4().hex[:8]}")
    captured, miskeyed = lead.captured(), lead.activity(at(1), "demo_request")
    topic = topic_name(LEADS, test_namespace)
    with producer(kafka_bootstrap) as prod:
        publish(prod, topic, captured)
        publish_raw(prod, topic, b"someone-else", encode(miskeyed))
    stats = ReadStats()
    mine = [
        e
        for e in read_topics(client_access(kafka_bootstrap), [topic], stats)
        if e.subject == lead.lead_id
    ]
    assert mine == [captured]
    assert stats.miskeyed >= 1
