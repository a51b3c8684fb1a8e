"""The intake janitor: delete what the worker has processed from the ``leads`` topic.

Partners publish plaintext personal data to the intake topic ``leads``; the record
log holds it only sealed. So that the plaintext lives on intake only until it is
processed, the worker deletes each partition it owns below the group's committed
offset (Kafka's DeleteRecords, through aiokafka's admin client) every
``janitor_seconds`` (setting ``LEADLEDGER_JANITOR_SECONDS``, 0 = off), and never past
what this worker's own agent applied there. Committed means handled
(``streams/delivery/agent_loop.py`` acknowledges after the handling finished), so a deleted
message can never be needed again: its rejection or its record-log copy exists.
Agreement intake holds no personal data and is left alone.
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from streams.agents import clock as clock_agent
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def deletable(
    committed: dict[int, int], owned: frozenset[int], applied: dict[int, int]
) -> dict[int, int]:
    """Partition -> offset to delete below, for each owned partition.

    Below the group's committed offset AND past what this worker itself applied on
    the partition (``applied``: the last offset its agent handled), so a deletion never
    runs ahead of the consumer that is reading the partition now; a partition this
    worker has not applied anything on yet is left alone.
    """
    below = {}
    for partition, offset in committed.items():
        if partition in owned and partition in applied:
            upto = min(offset, applied[partition] + 1)
            if upto > 0:
                below[partition] = upto
    return below


async def sweep(rt: Runtime, admin: Any) -> dict[int, int]:
    """Delete each owned intake partition below its committed offset; what was done."""
    topic = rt.leads_topic.get_topic_name()
    owned = clock_agent.owned_partitions(rt)
    if not owned or rt.app.rebalancing:
        return {}
    partitions = [TopicPartition(topic, p) for p in sorted(owned)]
    offsets = await admin.list_consumer_group_offsets(rt.settings.app_id, partitions=partitions)
    committed = {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}
    applied = {p: o for (t, p), o in rt.applied_offsets.items() if t == topic}
    below = deletable(committed, owned, applied)
    if below:
        await admin.delete_records(
            {TopicPartition(topic, p): RecordsToDelete(offset) for p, offset in below.items()}
        )
        log.info("intake janitor: %s deleted below %s", topic, below)
    return below


def register(rt: Runtime) -> None:
    seconds = rt.settings.janitor_seconds
    if seconds <= 0:
        return
    admin: dict[str, Any] = {}

    @rt.app.timer(interval=seconds)  # type: ignore[untyped-decorator]
    async def truncate_intake() -> None:
        try:
            if "client" not in admin:
                client = AIOKafkaAdminClient(**rt.kafka.aiokafka())
                await client.start()
                admin["client"] = client
            await sweep(rt, admin["client"])
        except Exception:
            # A broker away or a rebalance: the next sweep deletes what this one did not.
            log.warning("intake janitor: sweep failed", exc_info=True)

    async def close_admin(app: Any, **_: Any) -> None:
        if "client" in admin:
            await admin.pop("client").close()

    rt.app.on_before_shutdown.connect(close_admin)
