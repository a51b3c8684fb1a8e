"""The loop of a consumer group outside Faust: read, decide, send, wait, commit.

At least once: a batch's offsets are committed only after the broker acknowledged
every message its handling sent, so a crash, a failed send or a rebalance reads the
uncommitted messages again. What a handling sends carries deterministic ids (a
forwarded event its own id, a refusal an id from topic, partition and offset), so a
message handled twice is deduplicated downstream. Nothing escapes: a failure is
logged, the consumer is closed, and a new one resumes from the committed offsets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

log = logging.getLogger(__name__)

Handle = Callable[[ConsumerRecord[bytes, bytes]], Awaitable[Sequence[Awaitable[Any]]]]
RESTART_SECONDS = 1.0
MAX_RECORDS = 500


def consumer_for(
    client: Mapping[str, Any],
    group_id: str,
    *,
    pattern: str | None = None,
    topics: Sequence[str] = (),
) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        **client,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        # A new publish topic matches the pattern at the next metadata refresh: seconds.
        metadata_max_age_ms=3000,
        session_timeout_ms=10000,
        heartbeat_interval_ms=3000,
    )
    if pattern is not None:
        consumer.subscribe(pattern=pattern)
    else:
        consumer.subscribe(topics=list(topics))
    return consumer


async def relay_batch(
    consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[Any]], handle: Handle
) -> None:
    """Handle a fetched batch in offset order, wait for every send, then commit it."""
    pending: list[Awaitable[Any]] = []
    for records in batches.values():
        for record in records:
            pending.extend(await handle(record))
    if pending:
        await asyncio.gather(*pending)  # a failed send raises: nothing is committed
    await consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})


async def run(name: str, make_consumer: Callable[[], AIOKafkaConsumer], handle: Handle) -> None:
    """Relay until cancelled; a failure restarts the consumer from the committed offsets."""
    while True:
        consumer = make_consumer()
        try:
            await consumer.start()
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=MAX_RECORDS)
                if batches:
                    await relay_batch(consumer, batches, handle)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: failed; reading again from the committed offsets", name)
        finally:
            try:
                await consumer.stop()
            except Exception:
                log.warning("%s: closing the consumer failed", name, exc_info=True)
        await asyncio.sleep(RESTART_SECONDS)
