"""Create the registry's topics with explicit settings (kafka-python admin client)."""

from __future__ import annotations

import os
from contextlib import suppress

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.topics import ALL_TOPICS, LEADS, topic_name

# The worker's tables (streams/wiring.py). Their changelogs are created here, before any
# worker starts: left to Faust, a changelog created at start-up could be missing from
# the consumer's metadata when the first write came (PartitionsMismatch "has 0
# partitions"), and that write, an escalation, was lost (found by the fault harness).
TABLES = ("leads", "deadlines", "escalations")


def changelog_topic(namespace: str, table: str) -> str:
    """Faust's name for a table's changelog: ``<app id>-<table>-changelog``."""
    return f"{namespace}-{table}-changelog"


class TopicMismatchError(RuntimeError):
    pass


def create_topics(
    bootstrap: str, namespace: str, replication_factor: int | None = None
) -> list[str]:
    """Create every missing topic; an existing one with other partitions is an error."""
    rf = replication_factor or int(os.environ.get("LEADLEDGER_REPLICATION_FACTOR", "1"))
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="leadledger-admin")
    try:
        existing = {t["name"]: len(t["partitions"]) for t in admin.describe_topics()}
        wanted = {topic_name(spec, namespace): spec for spec in ALL_TOPICS}
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
        missing += [
            NewTopic(name, LEADS.partitions, rf, topic_configs={"cleanup.policy": "compact"})
            for name in (changelog_topic(namespace, table) for table in TABLES)
            if name not in existing
        ]
        if missing:
            # A topic created a moment ago may not be in the metadata yet: it exists.
            with suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
        return sorted(wanted)
    finally:
        admin.close()
