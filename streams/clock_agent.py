"""Clocks: the timer finds what is due, and this agent applies it.

A Faust timer cannot change a table (a table write must belong to a stream event, so
its changelog write and the source offset commit together). The timer therefore sends
``DeadlineDue`` to the clocks topic, keyed by subject: it lands on the same partition
number as the subject's lead events, on the worker that owns that lead's state.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from projections.lead import advance, state_from_json, state_to_json
from schemas.codec import DecodeError, decode, encode
from schemas.system_events import DeadlineDue, DeadlineDueData
from streams import deadline_index
from streams.emit import emit
from streams.rejections import SYSTEM_SOURCE
from streams.runtime import Runtime

log = logging.getLogger(__name__)
DUE_NAMESPACE = uuid.UUID("0b7e8f55-4f1e-4d43-9d0a-6a0f3b1f7c21")


def deadline_due(subject: str, due_at: datetime) -> DeadlineDue:
    """The same (subject, due_at) always makes the same message id."""
    return DeadlineDue(
        event_id=str(uuid.uuid5(DUE_NAMESPACE, f"{subject}|{due_at.isoformat()}")),
        subject=subject,
        occurred_at=due_at,
        source=SYSTEM_SOURCE,
        actor="system",
        data=DeadlineDueData(due_at=due_at),
    )


async def apply_due(rt: Runtime, value: bytes, partition: int) -> None:
    try:
        message = decode(value)
    except DecodeError:
        log.exception("undecodable message on the internal clocks topic")
        return
    if not isinstance(message, DeadlineDue):
        return  # DeadlineScheduled/Cancelled are the timer's audit trail, not requests
    raw_state = rt.leads.get(message.subject)
    if raw_state is not None:
        outcome = advance(state_from_json(raw_state), message.data.due_at, rt.policy)
        if outcome.emitted and outcome.state is not None:
            # Send first, then record: if sending fails, the clock is still due in the
            # lead's state, so the next event or a retry raises it instead of losing it.
            await emit(rt, outcome.emitted, partition)
            rt.leads[message.subject] = state_to_json(outcome.state)
    deadline_index.remove(rt.deadlines, partition, message.subject, message.data.due_at)


def register(rt: Runtime, tick_seconds: float = 1.0) -> None:
    sent: dict[str, set[tuple[str, str]]] = {}

    @rt.app.agent(rt.clocks_topic, name="clocks")  # type: ignore[untyped-decorator]
    async def clocks_agent(stream: Any) -> None:
        async for event in stream.events():
            try:
                await apply_due(rt, event.message.value, event.message.partition)
            except Exception:
                log.exception("clock message failed on %s", event.message.tp)

    @rt.app.timer(interval=tick_seconds)  # type: ignore[untyped-decorator]
    async def tick() -> None:
        try:
            await send_due(rt, datetime.now(UTC), sent)
        except Exception:
            log.exception("timer tick failed")


def owned_partitions(rt: Runtime) -> frozenset[int]:
    name = rt.leads_topic.get_topic_name()
    return frozenset(tp.partition for tp in rt.app.assignor.assigned_actives() if tp.topic == name)


async def send_due(rt: Runtime, now: datetime, sent: dict[str, set[tuple[str, str]]]) -> int:
    """One tick: send ``DeadlineDue`` for every indexed deadline at or before ``now``.

    ``sent`` remembers, per bucket, what this worker already asked for, so a due entry
    that the agent has not yet applied is not asked for again every second; it is
    forgotten with its bucket.
    """
    if rt.app.rebalancing:
        return 0
    owned = owned_partitions(rt)
    if rt.schedule.partitions != owned:
        rt.schedule.rebuild(list(rt.deadlines.keys()), owned)
        sent.clear()
    count = 0
    for key in rt.schedule.due_keys(now):
        if key not in rt.deadlines:
            rt.schedule.drop(key)
            sent.pop(key, None)
            continue
        asked = sent.setdefault(key, set())
        for due_at, subject in deadline_index.due_entries(rt.deadlines, key, now):
            if (subject, due_at.isoformat()) in asked:
                continue
            asked.add((subject, due_at.isoformat()))
            await rt.clocks_topic.send(
                key=subject.encode(), value=encode(deadline_due(subject, due_at))
            )
            count += 1
    rt.counters.clocks_due_sent += count
    return count
