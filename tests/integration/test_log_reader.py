"""The librdkafka reader stops at each partition's end even where no record sits there.

A partition cleaned by ``deleteRecords`` (the intake janitor's way) or compacted may
have no record at ``end - 1``; an empty one has none at all. The read must still end,
with every record that is there, in partition order.
"""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import NewTopic

from streams.readback.partitions import drain, ends_now, reader
from tests.support.kafka_auth import client_access, kafka_config
from tests.support.kafka_io import producer

pytestmark = pytest.mark.integration


def test_drain_ends_at_cleaned_and_empty_partitions(kafka_bootstrap: str) -> None:
    topic = f"reader-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(**kafka_config(kafka_bootstrap))
    try:
        admin.create_topics([NewTopic(topic, 3, 1)])
        with producer(kafka_bootstrap) as prod:
            for n in range(5):
                prod.send(topic, key=b"k", value=f"p0-{n}".encode(), partition=0)
            for n in range(3):
                prod.send(topic, key=b"k", value=f"p1-{n}".encode(), partition=1)
            prod.flush()
        # Partition 1 cleaned entirely: its end is 3 but no record is left.
        admin.delete_records({TopicPartition(topic, 1): 3})
    finally:
        admin.close()
    consumer = reader(client_access(kafka_bootstrap))
    try:
        ends = ends_now(consumer, [topic])
        assert ends == {(topic, 0): 5, (topic, 1): 3, (topic, 2): 0}
        values = [m.value() for m in drain(consumer, ends)]
    finally:
        consumer.close()
    assert values == [f"p0-{n}".encode() for n in range(5)]


def test_a_missing_topic_has_no_partitions(kafka_bootstrap: str) -> None:
    consumer = reader(client_access(kafka_bootstrap))
    try:
        assert ends_now(consumer, [f"absent-{uuid.uuid4().hex[:10]}"]) == {}
    finally:
        consumer.close()
