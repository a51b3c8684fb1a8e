"""leadledger live: throughput, latency at a fixed rate, escalation delay, memory."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from statistics import quantiles
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.access import operator_access
from bench.rawloop import Message, preload
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.lead_events import LeadActivity, LeadActivityData, LeadCaptured, LeadCapturedData
from schemas.lead_events import Person as LeadPerson
from streams.broker.topics import LEADS

SETTLE_S = 2.5


class Counted(Protocol):
    """A worker, or a group of them counted as one (``bench.lanes.Workers``)."""

    def counters(self) -> dict[str, int]: ...

    def wait(self, done: Any, timeout: float, what: str, every: float = 0.05) -> float: ...


def throughput(worker: Counted, bootstrap: str, topic: str, messages: Sequence[Message]) -> float:
    """Events/s from the first produced to the last processed with its escalations out.

    The escalations the timer raises for the backdated breaches come after the events;
    the run ends when every event is processed and no escalation was added for
    ``SETTLE_S`` (the timer ticks every second), at the last one added.
    """
    start = time.monotonic()
    preload(bootstrap, topic, messages)
    worker.wait(
        lambda: sum(worker.counters()[k] for k in ("processed", "rejected")) >= len(messages),
        900,
        f"{len(messages)} events processed",
    )
    end, escalations = time.monotonic(), worker.counters()["escalations"]
    while time.monotonic() - end < SETTLE_S:
        time.sleep(0.1)
        if (now := worker.counters()["escalations"]) != escalations:
            end, escalations = time.monotonic(), now
    return len(messages) / (end - start)


def p50_p99(samples: Sequence[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (float("nan"), float("nan"))
    cuts = quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _probe(lead_id: str, at: datetime) -> LeadCaptured:
    return LeadCaptured(
        event_id=f"{lead_id}-c",
        subject=lead_id,
        occurred_at=at,
        source="bench",
        data=LeadCapturedData(person=LeadPerson(email=f"{lead_id}@example.com")),
    )


async def _reader_at_end(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    """A consumer of every partition of ``topic`` from its current end: assigned, not
    subscribed, so nothing written after this returns is missed while a group forms."""
    consumer = AIOKafkaConsumer(**operator_access(bootstrap).aiokafka())
    await consumer.start()
    # Every project topic and table changelog has LEADS.partitions partitions (wiring).
    partitions = [TopicPartition(topic, p) for p in range(LEADS.partitions)]
    consumer.assign(partitions)
    await consumer.seek_to_end(*partitions)
    for partition in partitions:  # a seek is lazy: resolve the end now, not at first read
        await consumer.position(partition)
    return consumer


async def _latency(bootstrap: str, namespace: str, rate: float, seconds: float) -> list[float]:
    topic, changelog = f"{namespace}.leads", f"{namespace}-leads-changelog"
    consumer = await _reader_at_end(bootstrap, changelog)
    producer = AIOKafkaProducer(**operator_access(bootstrap).aiokafka(), acks="all")
    await producer.start()
    sent: dict[bytes, float] = {}
    seen: dict[bytes, float] = {}
    count = int(rate * seconds)

    async def send_all() -> None:
        begin = time.monotonic()
        for number in range(count):
            await asyncio.sleep(max(0.0, begin + number / rate - time.monotonic()))
            key = f"probe-{number:07d}".encode()
            sent[key] = time.monotonic()
            event = _probe(key.decode(), datetime.now(UTC))
            await producer.send(topic, key=key, value=encode(event))

    sender = asyncio.create_task(send_all())
    deadline = time.monotonic() + seconds + 60
    try:
        while (len(seen) < count or not sender.done()) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    key = record.key.strip(b'"')  # the table's changelog keys are JSON
                    if key in sent and key not in seen:
                        seen[key] = time.monotonic()
        await sender
    finally:
        await producer.stop()
        await consumer.stop()
    return [seen[key] - sent[key] for key in seen]


def latency(bootstrap: str, namespace: str, rate: float, seconds: float) -> tuple[float, float]:
    """p50/p99 seconds from produced to the lead table's changelog write, at ``rate``/s."""
    return p50_p99(asyncio.run(_latency(bootstrap, namespace, rate, seconds)))


def _mql_probe(lead_id: str, mql_at: datetime) -> list[Envelope]:
    """Captured, then activities that make an MQL at ``mql_at``: due 1 hour later."""
    events: list[Envelope] = [_probe(lead_id, mql_at - timedelta(minutes=5))]
    for number, activity in enumerate(
        ("demo_request", "webinar", "contact_us", "content_download")
    ):
        events.append(
            LeadActivity(
                event_id=f"{lead_id}-a{number}",
                subject=lead_id,
                occurred_at=mql_at - timedelta(minutes=3 - number),
                source="bench",
                data=LeadActivityData(activity=activity),
            )
        )
    return events


async def _escalation_delays(bootstrap: str, namespace: str, probes: int) -> list[float]:
    """Seconds from each probe's ``due_at`` (wall clock) to its EscalationRaised read."""
    consumer = await _reader_at_end(bootstrap, f"{namespace}.escalations")
    # Due from 3 s on, at most 20 a second: MQL reached 1 hour before (MQL_NOT_ASSIGNED).
    now, spread = datetime.now(UTC), min(10.0, probes / 20)
    due = {f"due-{n:05d}": now + timedelta(seconds=3 + spread * n / probes) for n in range(probes)}
    messages = [
        (lead_id.encode(), encode(event))
        for lead_id, due_at in due.items()
        for event in _mql_probe(lead_id, due_at - timedelta(hours=1))
    ]
    await asyncio.to_thread(preload, bootstrap, f"{namespace}.leads", messages)
    delays: dict[str, float] = {}
    deadline = time.monotonic() + 120
    try:
        while len(delays) < probes and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    event = decode(record.value)
                    if event.subject in due and event.subject not in delays:
                        arrived = datetime.now(UTC)
                        delays[event.subject] = (arrived - due[event.subject]).total_seconds()
    finally:
        await consumer.stop()
    return list(delays.values())


def escalation_delay(bootstrap: str, namespace: str, probes: int) -> tuple[float, float, int]:
    """(p50, p99, how many of ``probes`` arrived within the wait)."""
    delays = asyncio.run(_escalation_delays(bootstrap, namespace, probes))
    return (*p50_p99(delays), len(delays))
