"""Read Kafka partitions from their start to their end as of now, with librdkafka.

confluent-kafka (librdkafka, bundled in its wheel: no system library) replaces
kafka-python here, which parses every record in pure Python: about a third of
``replay kafka``'s CPU before the fold. Used by ``streams.readback.event_log`` for the record
log and the key topic.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    TopicPartition,
)

from streams.identity.clients import KafkaAccess

log = logging.getLogger(__name__)


def reader(kafka: KafkaAccess) -> Any:
    # assign() only: the group id is never joined or committed, just required by
    # librdkafka. read_uncommitted, as kafka-python read (the log is not transactional).
    return Consumer(
        {
            **kafka.confluent(),
            "group.id": f"leadledger-reader-{uuid.uuid4().hex}",
            "enable.auto.commit": False,
            "isolation.level": "read_uncommitted",
            "enable.partition.eof": True,
            # A partition's end shows as a fetch that comes back empty after this
            # wait (librdkafka's default is 500 ms).
            "fetch.wait.max.ms": 10,
            "logger": log,
        }
    )


def ends_now(consumer: Any, topics: Sequence[str]) -> dict[tuple[str, int], int]:
    """(topic, partition) -> its end offset now, partitions in order; a missing topic has none."""
    ends: dict[tuple[str, int], int] = {}
    for topic in topics:
        found = consumer.list_topics(topic, timeout=30).topics.get(topic)
        for partition in sorted(found.partitions if found is not None else ()):
            ends[(topic, partition)] = _high_watermark(consumer, TopicPartition(topic, partition))
    return ends


def _high_watermark(consumer: Any, tp: Any, patience: float = 30.0) -> int:
    """The partition's end offset, retried while the broker settles a new topic's leader
    (``NOT_LEADER_FOR_PARTITION`` right after it is created), as kafka-python did."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return int(consumer.get_watermark_offsets(tp, timeout=patience)[1])
        except KafkaException:
            # librdkafka does not mark NOT_LEADER_FOR_PARTITION retriable here.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def drain(consumer: Any, ends: dict[tuple[str, int], int]) -> Iterator[Any]:
    """Every message below ``ends``, all partitions fetched together.

    A partition is done at its last offset or at librdkafka's end-of-partition event:
    a compacted or cleaned log may have no record at ``end - 1`` (and ``position``
    counts only records handed over, so it would never get there).
    """
    # consume() waits its whole timeout unless the batch fills: a short one, looped.
    pending = {tp for tp, end in ends.items() if end > 0}
    consumer.assign([TopicPartition(t, p, OFFSET_BEGINNING) for t, p in pending])
    while pending:
        for message in consumer.consume(num_messages=10_000, timeout=0.05):
            tp = (message.topic(), message.partition())
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    pending.discard(tp)
                else:
                    log.warning("reading the log: %s", error)
                continue
            if tp not in pending:
                continue
            offset = message.offset()
            if offset >= ends[tp] - 1:
                pending.discard(tp)
            if offset < ends[tp]:
                yield message
