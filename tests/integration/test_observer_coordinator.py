"""The fault harness's observer reads a group's offsets after its coordinator's broker died.

kafka-python's admin client kept asking the dead broker for the group's offsets; the
harness took its last answer for the worker's, and the broker scenario reported a
180 s commit stall that was the observer's own (the worker had committed everything).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from streams.broker.jars import ensure_jars
from tests.faults.observe import Observer
from tests.support.kafka_auth import kafka_config, operator_exported, secured_cluster
from tests.support.ports import free_port

pytestmark = pytest.mark.integration
TOPIC, GROUP = "observed", "observed-group"
PARTITIONS = [TopicPartition(TOPIC, p) for p in range(3)]


def _commit(consumer: KafkaConsumer, offset: int) -> None:
    consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp in PARTITIONS})


def test_committed_offsets_after_the_coordinators_broker_is_killed(tmp_path: Path) -> None:
    cluster = secured_cluster(
        tmp_path, [(free_port(), free_port()) for _ in range(3)], ensure_jars()
    )
    cluster.start()
    try:
        with operator_exported():  # this broker's operator, whatever the session's
            admin = KafkaAdminClient(**kafka_config(cluster.bootstrap))
            admin.create_topics([NewTopic(TOPIC, 3, 3)])
            admin.close()
            consumer = KafkaConsumer(
                **kafka_config(cluster.bootstrap), group_id=GROUP, enable_auto_commit=False
            )
            consumer.assign(PARTITIONS)
            _commit(consumer, 5)
            observer = Observer(cluster.bootstrap)
            assert observer.committed(GROUP, TOPIC) == {0: 5, 1: 5, 2: 5}

            coordinator = int(str(consumer._coordinator.coordinator_id).rsplit("-", 1)[-1])
            next(n for n in cluster.nodes if n.node_id == coordinator).kill()
            _commit(consumer, 9)  # the consumer finds the new coordinator itself

            deadline = time.monotonic() + 60
            seen: dict[int, int] | str = {}
            while time.monotonic() < deadline and seen != {0: 9, 1: 9, 2: 9}:
                try:
                    seen = observer.committed(GROUP, TOPIC)
                except Exception as exc:  # the remaining brokers may still be electing
                    seen = repr(exc)
                time.sleep(0.5)
            assert seen == {0: 9, 1: 9, 2: 9}
            consumer.close()
            observer.close()
    finally:
        cluster.stop()
