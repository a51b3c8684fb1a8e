"""The tables' changelogs exist before any worker starts.

Regression (fault harness, bad input right after a worker started): Faust created the
escalations changelog at start-up, the consumer's metadata did not have it yet, the
first escalation's table write raised ``PartitionsMismatch`` ("has 0 partitions") and
that escalation never reached its topic.
"""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from streams.broker.admin import create_topics
from streams.broker.topics import LEADS, TABLES, changelog_name
from tests.support.kafka_auth import kafka_config

pytestmark = pytest.mark.integration


def test_create_topics_makes_every_table_changelog(kafka_bootstrap: str) -> None:
    namespace = f"c{uuid.uuid4().hex[:8]}"
    create_topics(kafka_config(kafka_bootstrap), namespace)
    create_topics(kafka_config(kafka_bootstrap), namespace)  # idempotent
    names = [changelog_name(table, namespace) for table in TABLES]
    admin = KafkaAdminClient(**kafka_config(kafka_bootstrap))
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}
        assert described == dict.fromkeys(names, LEADS.partitions)
        for name in names:
            resource = ConfigResource(ConfigResourceType.TOPIC, name)
            configs = admin.describe_configs([resource])["topic"][name]
            assert configs["cleanup.policy"]["value"] == "compact"
    finally:
        admin.close()
