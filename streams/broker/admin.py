"""Create the registry's topics with explicit settings (kafka-python admin client)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import suppress
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.broker.topics import (
    ALL_TOPICS,
    CHANGELOG_CONFIG,
    DEFAULT_PARTITIONS,
    TABLE_CONFIG,
    TABLES,
    TopicSpec,
    changelog_name,
    partner_topics,
    topic_name,
)


def _wanted(namespace: str) -> dict[str, TopicSpec]:
    """Every topic by name: the registry's, and the tables' changelogs."""
    wanted = {topic_name(spec, namespace): spec for spec in ALL_TOPICS}
    for table in TABLES:
        wanted[changelog_name(table, namespace)] = TopicSpec(
            f"{table}-changelog",
            key="table key",
            value="table value",
            purpose=f"changelog of the {table} table",
            partitions=DEFAULT_PARTITIONS,
            config=dict(TABLE_CONFIG.get(table, CHANGELOG_CONFIG)),
        )
    return wanted


class TopicMismatchError(RuntimeError):
    pass


def create_topics(
    client: Mapping[str, Any], namespace: str, replication_factor: int | None = None
) -> list[str]:
    """Create every missing topic; an existing one with other partitions is an error.

    ``client``: kafka-python's connection settings, bootstrap servers and credentials
    (``streams.identity.clients.KafkaAccess.kafka_python``).
    """
    return _create(client, _wanted(namespace), replication_factor)


def create_partner_topics(
    client: Mapping[str, Any],
    namespace: str,
    partner_id: str,
    replication_factor: int | None = None,
) -> list[str]:
    """Create one partner's publish topic and feed (``<namespace>.in.<partner>``,
    ``<namespace>.out.<partner>``); creating them again changes nothing.

    The caller registers the partner (``streams.identity.registry``); the admission
    step refuses what arrives on a publish topic whose partner is not registered.
    """
    wanted = {topic_name(spec, namespace): spec for spec in partner_topics(partner_id)}
    return _create(client, wanted, replication_factor)


def _create(
    client: Mapping[str, Any], wanted: dict[str, TopicSpec], replication_factor: int | None
) -> list[str]:
    rf = replication_factor or int(os.environ.get("LEADLEDGER_REPLICATION_FACTOR", "1"))
    admin = KafkaAdminClient(**client, client_id="leadledger-admin")
    try:
        existing = {t["name"]: len(t["partitions"]) for t in admin.describe_topics()}
        for name, spec in wanted.items():
            if name in existing and existing[name] != spec.partitions:
                raise TopicMismatchError(
                    f"topic {name} has {existing[name]} partitions, "
                    f"the registry says {spec.partitions}"
                )
        missing = [
            NewTopic(name, spec.partitions, rf, topic_configs=dict(spec.config))
            for name, spec in wanted.items()
            if name not in existing
        ]
        if missing:
            # A topic created a moment ago may not be in the metadata yet: it exists.
            with suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
        return sorted(wanted)
    finally:
        admin.close()
