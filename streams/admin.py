"""Create the registry's topics with explicit settings (kafka-python admin client)."""

from __future__ import annotations

import os

from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from streams.topics import (
    ALL_TOPICS,
    CHANGELOG_CONFIG,
    LEADS,
    TABLES,
    changelog_name,
    topic_name,
)


class TopicMismatchError(RuntimeError):
    pass


def create_topics(
    bootstrap: str, namespace: str, replication_factor: int | None = None
) -> list[str]:
    """Create every missing topic, and the tables' changelogs; an existing one with
    other partitions is an error."""
    rf = replication_factor or int(os.environ.get("LEADLEDGER_REPLICATION_FACTOR", "1"))
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="leadledger-admin")
    try:
        existing = {t["name"]: len(t["partitions"]) for t in admin.describe_topics()}
        wanted = {topic_name(s, namespace): (s.partitions, dict(s.config)) for s in ALL_TOPICS}
        for table in TABLES:  # a table's changelog has its source topic's partitions
            wanted[changelog_name(table, namespace)] = (LEADS.partitions, CHANGELOG_CONFIG)
        for name, (partitions, _) in wanted.items():
            if name in existing and existing[name] != partitions:
                raise TopicMismatchError(
                    f"topic {name} has {existing[name]} partitions, the registry says {partitions}"
                )
        missing = [
            NewTopic(name, partitions, rf, topic_configs=dict(config))
            for name, (partitions, config) in wanted.items()
            if name not in existing
        ]
        if missing:
            admin.create_topics(missing)
        return sorted(wanted)
    finally:
        admin.close()
