"""Read what the system did from the topics themselves (kafka-python)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from tests.support.kafka_auth import kafka_config


@dataclass(frozen=True, slots=True)
class Record:
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


def changelog(namespace: str, table: str) -> str:
    """Faust's changelog topic of a table: ``<app id>-<table>-changelog``."""
    return f"{namespace}-{table}-changelog"


class Observer:
    """One consumer and one admin client for the whole run."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.consumer = KafkaConsumer(
            **kafka_config(bootstrap), enable_auto_commit=False, group_id=None
        )
        self.admin = KafkaAdminClient(**kafka_config(bootstrap))

    def close(self) -> None:
        self.consumer.close()
        self.admin.close()

    def _partitions(self, topic: str) -> list[TopicPartition]:
        self.consumer.topics()  # refresh the metadata: the topic may be new
        found = self.consumer.partitions_for_topic(topic) or set()
        return [TopicPartition(topic, p) for p in sorted(found)]

    def end_offsets(self, topic: str) -> dict[int, int]:
        tps = self._partitions(topic)
        return {tp.partition: offset for tp, offset in self.consumer.end_offsets(tps).items()}

    def total(self, topic: str) -> int:
        return sum(self.end_offsets(topic).values())

    def committed(self, group: str, topic: str) -> dict[int, int]:
        """The group's committed offsets on ``topic``, as the broker has them now.

        kafka-python's admin client does not find a group's new coordinator after the
        old one's broker died: every later ask failed, and the harness took the last
        answer for the worker's (it had committed everything; the broker scenario
        reported a 180 s stall that was the observer's). A failed ask is retried on a
        new admin client, which looks the coordinator up afresh.
        """
        try:
            offsets = self.admin.list_group_offsets({group: None}).get(group, {})
        except KafkaError:
            self.admin.close()
            self.admin = KafkaAdminClient(**kafka_config(self.bootstrap))
            offsets = self.admin.list_group_offsets({group: None}).get(group, {})
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}

    def lag(self, group: str, topics: Iterable[str]) -> int:
        """Messages the group has not committed yet, over ``topics``."""
        lag = 0
        for topic in topics:
            committed = self.committed(group, topic)
            for partition, end in self.end_offsets(topic).items():
                lag += end - max(committed.get(partition, 0), 0)
        return lag

    def replication(self, topic: str) -> int:
        """The fewest replicas any partition of ``topic`` has."""
        described = self.admin.describe_topics([topic])
        return min(len(p["replica_nodes"]) for t in described for p in t["partitions"])

    def read(self, topic: str) -> list[Record]:
        """Every record of ``topic`` up to its end now, partition by partition."""
        tps = self._partitions(topic)
        ends = self.consumer.end_offsets(tps)
        self.consumer.assign(tps)
        self.consumer.seek_to_beginning(*tps)
        records: list[Record] = []
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            for tp, batch in self.consumer.poll(timeout_ms=1000, max_records=10_000).items():
                records += [
                    Record(tp.partition, m.offset, m.key, m.value, tuple(m.headers or ()))
                    for m in batch
                ]
            pending = {tp for tp in pending if self.consumer.position(tp) < ends[tp]}
        self.consumer.assign([])
        return [r for r in records if r.offset < ends[TopicPartition(topic, r.partition)]]


def _table_key(raw: bytes) -> str:
    """Faust writes table keys with its ``json`` codec (``"lead-1"``, quotes included)."""
    try:
        key = json.loads(raw)
    except ValueError:
        return raw.decode()
    return key if isinstance(key, str) else raw.decode()


def latest_by_key(records: Iterable[Record]) -> dict[str, bytes]:
    """A compacted view of a changelog: the last value of each key (None deletes)."""
    table: dict[str, bytes] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        key = _table_key(record.key or b"")
        if record.value is None:
            table.pop(key, None)
        else:
            table[key] = record.value
    return table
