"""Delete what the admission step has handled from the partners' publish topics.

A partner's ``LeadCaptured`` carries its person in plaintext on its publish topic; once
admission has forwarded it (to intake, whose own janitor deletes it once the lead agent
sealed it onto the record log) or refused it (the refusal keeps it sealed), nothing
needs it there. So, like the intake janitor (``streams/agents/janitor.py``), every
``janitor_seconds`` each partition of every publish topic is deleted below the
admission group's committed offset: committed means the broker had every send that
message's handling made (``streams/admission/relay.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from streams.broker.topics import partner_of_topic
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def deletable(
    committed: dict[TopicPartition, int], done: dict[TopicPartition, int], namespace: str
) -> dict[TopicPartition, int]:
    """Publish-topic partitions whose committed offset moved past what was deleted."""
    return {
        tp: offset
        for tp, offset in committed.items()
        if partner_of_topic(tp.topic, namespace) is not None
        and offset > 0
        and offset > done.get(tp, 0)
    }


async def sweep(
    admin: Any, group: str, namespace: str, done: dict[TopicPartition, int]
) -> dict[TopicPartition, int]:
    offsets = await admin.list_consumer_group_offsets(group)
    committed = {tp: meta.offset for tp, meta in offsets.items()}
    below = deletable(committed, done, namespace)
    if below:
        await admin.delete_records({tp: RecordsToDelete(o) for tp, o in below.items()})
        done.update(below)
        log.info("publish-topic janitor: deleted below %s", below)
    return below


def register(rt: Runtime, group: str) -> None:
    seconds = rt.settings.janitor_seconds
    if seconds <= 0:
        return
    admin: dict[str, Any] = {}
    done: dict[TopicPartition, int] = {}

    @rt.app.timer(interval=seconds)  # type: ignore[untyped-decorator]
    async def truncate_publish_topics() -> None:
        try:
            if "client" not in admin:
                client = AIOKafkaAdminClient(**rt.kafka.aiokafka())
                await client.start()
                admin["client"] = client
            await sweep(admin["client"], group, rt.settings.namespace, done)
        except Exception:
            # A broker away, a topic just removed: the next sweep does what this one did not.
            log.warning("publish-topic janitor: sweep failed", exc_info=True)

    async def close_admin(app: Any, **_: Any) -> None:
        if "client" in admin:
            await admin.pop("client").close()

    rt.app.on_before_shutdown.connect(close_admin)
