"""Every agreement, on every worker: the global book that share admission reads.

A Faust table holds only its worker's partitions, but admitting a share needs every
agreement (an exclusivity granted in one agreement refuses shares under another). So
each worker also folds the WHOLE agreements topic, with a group-less consumer assigned
all partitions from the beginning, through the same pure ``evolve_agreement``.

Guarantee (``caught_up``): once it returns True, the book has read every agreement
event the broker had acknowledged when it was called. Decisions are still made on event
time (``state_at``), so a late book changes nothing an auditor's replay would not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from projections.agreement.fold import evolve_agreement
from projections.agreement.state import AgreementBook, AgreementState
from projections.policy import Policy
from schemas.agreement_events import (
    AgreementAmended,
    AgreementProposed,
    AgreementRenewed,
    AgreementSigned,
    AgreementTerminated,
)
from schemas.codec import DecodeError, decode

log = logging.getLogger(__name__)
AGREEMENT_TYPES = (
    AgreementProposed,
    AgreementSigned,
    AgreementAmended,
    AgreementRenewed,
    AgreementTerminated,
)


class AgreementBookFollower:
    """An ``AgreementLookup`` kept current from the agreements topic."""

    def __init__(self, kafka: Mapping[str, Any], topic: str, policy: Policy) -> None:
        """``kafka``: aiokafka's connection settings (streams.identity.clients)."""
        self.book = AgreementBook()
        self._kafka = dict(kafka)
        self._topic = topic
        self._policy = policy
        self._positions: dict[int, int] = {}
        self._partitions: list[TopicPartition] = []
        self._consumer: Any = None
        self._started = asyncio.Event()
        self._progress = asyncio.Condition()

    def get(self, agreement_id: str) -> AgreementState | None:
        return self.book.get(agreement_id)

    def all(self) -> Iterable[AgreementState]:
        return self.book.all()

    def apply(self, value: bytes | None) -> None:
        """Fold one message; what is not an agreement event is the agent's to reject."""
        try:
            event = decode(value or b"")
        except DecodeError:
            return
        if not isinstance(event, AGREEMENT_TYPES):
            return
        try:
            outcome = evolve_agreement(self.book.get(event.subject), event, self._policy)
        except Exception:
            # The agent rejects the same message with this failure as its reason; the
            # book must not stop at it, or every later share would wait in vain.
            log.exception("agreement book could not fold %s", event.event_id)
            return
        if outcome.state is not None:
            self.book.put(outcome.state)

    async def run(self, retry_seconds: float = 1.0) -> None:
        """Follow the topic until cancelled (the worker's shutdown).

        A failure (say the broker is briefly unreachable) restarts the consumer from the
        beginning; the fold dedupes on ``event_id``, so reading again changes nothing.
        """
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("agreement book consumer failed; restarting")
                self._started.clear()
                await asyncio.sleep(retry_seconds)

    async def _follow(self) -> None:
        # Without a group, aiokafka assigns every partition of the subscribed topic and
        # commits nothing: each worker reads the whole topic from the beginning.
        consumer = AIOKafkaConsumer(
            self._topic,
            **self._kafka,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            while not consumer.assignment():  # noqa: ASYNC110 - aiokafka has no event for it
                await asyncio.sleep(0.1)
            self._partitions = sorted(consumer.assignment())
            self._consumer = consumer
            self._started.set()
            while True:
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        self.apply(record.value)
                for tp in self._partitions:
                    self._positions[tp.partition] = await consumer.position(tp)
                async with self._progress:
                    self._progress.notify_all()
        finally:
            await consumer.stop()

    async def caught_up(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109 - the contract
        """Wait until the book has read up to the topic's end offsets as of now.

        False after ``timeout`` seconds (logged): the caller decides anyway.
        """
        try:
            await asyncio.wait_for(self._reach_end(), timeout)
        except TimeoutError:
            log.warning("agreement book not caught up after %.1fs; deciding anyway", timeout)
            return False
        return True

    async def _reach_end(self) -> None:
        await self._started.wait()
        ends: dict[TopicPartition, int] = await self._consumer.end_offsets(self._partitions)
        async with self._progress:
            await self._progress.wait_for(
                lambda: all(self._positions.get(tp.partition, 0) >= end for tp, end in ends.items())
            )
