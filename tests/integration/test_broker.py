"""Topics from the registry, and a local broker whose log survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from streams.broker.admin import create_topics
from streams.broker.jars import ensure_jars
from streams.broker.topics import (
    ALL_TOPICS,
    INPUT_TOPICS,
    LEADS,
    TABLES,
    changelog_name,
    topic_name,
)
from tests.support.kafka_auth import kafka_config, operator_exported, secured_broker
from tests.support.ports import free_port

pytestmark = pytest.mark.integration


def test_topics_have_registry_settings(
    kafka_bootstrap: str, test_namespace: str, created_topics: list[str]
) -> None:
    assert (
        create_topics(kafka_config(kafka_bootstrap), test_namespace) == created_topics
    )  # idempotent
    admin = KafkaAdminClient(**kafka_config(kafka_bootstrap))
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(created_topics)}
        for spec in ALL_TOPICS:
            assert described[topic_name(spec, test_namespace)] == spec.partitions
        # The tables' changelogs exist before any worker starts (see streams.broker.topics).
        for table in TABLES:
            name = changelog_name(table, test_namespace)
            assert described[name] == LEADS.partitions
            resource = ConfigResource(ConfigResourceType.TOPIC, name)
            assert admin.describe_configs([resource])["topic"][name]["cleanup.policy"]["value"] == (
                "compact"
            )
        for spec in INPUT_TOPICS:
            name = topic_name(spec, test_namespace)
            resource = ConfigResource(ConfigResourceType.TOPIC, name)
            described_configs = admin.describe_configs([resource])["topic"][name]
            assert described_configs["retention.ms"]["value"] == "-1"
    finally:
        admin.close()


def test_data_survives_a_broker_restart(tmp_path: Path) -> None:
    port = free_port()
    broker = secured_broker(tmp_path, port, free_port(), ensure_jars())
    bootstrap = f"127.0.0.1:{port}"
    broker.start()
    try:
        with operator_exported():  # this broker's operator, whatever the session's
            create_topics(kafka_config(bootstrap), "restart")
            producer = KafkaProducer(**kafka_config(bootstrap), acks="all")
            producer.send("restart.leads", key=b"k", value=b"kept").get(timeout=10)
            producer.close()
            broker.stop()
            assert broker.status()["running"] is False
            broker.start()
            consumer = KafkaConsumer(
                "restart.leads",
                **kafka_config(bootstrap),
                auto_offset_reset="earliest",
                consumer_timeout_ms=10_000,
                group_id=None,
            )
            values = [message.value for message in consumer]
            consumer.close()
            assert values == [b"kept"]
    finally:
        broker.stop()
