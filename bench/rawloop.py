"""The Python ceiling: an aiokafka consume -> produce loop with no logic at all.

Also the bench's fast loader: ``preload`` writes the encoded workload to a topic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.access import operator_access

Message = tuple[bytes, bytes]  # (key, value)


async def _preload(bootstrap: str, topic: str, messages: Iterable[Message]) -> None:
    producer = AIOKafkaProducer(
        **operator_access(bootstrap).aiokafka(), acks="all", linger_ms=5, max_batch_size=256 * 1024
    )
    await producer.start()
    try:
        pending = []
        for key, value in messages:
            pending.append(await producer.send(topic, value=value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def preload(bootstrap: str, topic: str, messages: Iterable[Message]) -> None:
    asyncio.run(_preload(bootstrap, topic, messages))


async def _raw_loop(bootstrap: str, source: str, sink: str, expected: int) -> tuple[float, float]:
    consumer = AIOKafkaConsumer(
        source,
        **operator_access(bootstrap).aiokafka(),
        group_id=f"raw-{source}",
        auto_offset_reset="earliest",
        enable_auto_commit=True,
    )
    producer = AIOKafkaProducer(**operator_access(bootstrap).aiokafka(), acks="all", linger_ms=5)
    await consumer.start()
    await producer.start()
    try:
        done, started, cpu_started = 0, 0.0, 0.0
        pending = []
        while done < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
            for records in batches.values():
                if not started:
                    started, cpu_started = time.perf_counter(), time.process_time()
                for record in records:
                    pending.append(await producer.send(sink, value=record.value, key=record.key))
                done += len(records)
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        return expected / elapsed, cpu
    finally:
        await producer.stop()
        await consumer.stop()


def raw_loop(bootstrap: str, source: str, sink: str, expected: int) -> tuple[float, float]:
    """Events per second from the first message read to the last output acknowledged,
    and the CPU-seconds this process spent meanwhile (aiokafka's own, per record)."""
    return asyncio.run(asyncio.wait_for(_raw_loop(bootstrap, source, sink, expected), 600))
