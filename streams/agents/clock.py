"""Clocks: the timer finds what is due, and this agent applies it.

A Faust timer cannot change a table (a table write must belong to a stream event, so
its changelog write and the source offset commit together). The timer therefore sends
``DeadlineDue`` to the clocks topic, keyed by subject: it lands on the same partition
number as the subject's lead or agreement events, on the worker that owns its state;
``data.aggregate`` names the fold (lead, agreement, dispute).

The same topic carries the cross-aggregate commands the folds emit: ``ShareRecorded``
(a lead's share, to its agreement) and ``SharedLeadReleased`` (an ended agreement's
lead, to the lead fold). They are applied here, by the pure folds.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import advance_agreement
from projections.dispute.fold import advance_dispute
from projections.dispute.state import dispute_from_json, dispute_to_json
from projections.lead.fold import advance as advance_lead
from projections.lead.fold import state_from_json
from projections.lead.state import stored_to_json
from schemas.codec import DecodeError, decode, encode, type_of
from schemas.partner_system_events import SharedLeadReleased, ShareRecorded
from schemas.system_events import DeadlineDue, DeadlineDueData
from streams.agents import agreement_commands as commands
from streams.delivery.agent_loop import finished_events
from streams.delivery.backlog import has_backlog
from streams.delivery.emit import emit
from streams.delivery.rejections import SYSTEM_SOURCE
from streams.runtime import Runtime
from streams.state import deadline_index

log = logging.getLogger(__name__)
DUE_NAMESPACE = uuid.UUID("0b7e8f55-4f1e-4d43-9d0a-6a0f3b1f7c21")


def deadline_due(subject: str, due_at: datetime, aggregate: str = "lead") -> DeadlineDue:
    """The same (subject, due_at, aggregate) always makes the same message id."""
    name = f"{subject}|{due_at.isoformat()}" + ("" if aggregate == "lead" else f"|{aggregate}")
    return DeadlineDue(
        event_id=str(uuid.uuid5(DUE_NAMESPACE, name)),
        subject=subject,
        occurred_at=due_at,
        source=SYSTEM_SOURCE,
        actor="system",
        data=DeadlineDueData(due_at=due_at, aggregate=aggregate),
    )


# The clocks' audit trail, not requests: written before issue 19 (no longer sent,
# streams/delivery/emit.py) and still on older clocks topics; passed over undecoded.
AUDIT_TRAIL = frozenset({"DeadlineScheduled", "DeadlineCancelled"})


async def apply_due(rt: Runtime, value: bytes, partition: int, offset: int = -1) -> None:
    try:
        if type_of(value) in AUDIT_TRAIL:
            return
        message = decode(value)
    except DecodeError:
        log.exception("undecodable message on the internal clocks topic")
        return
    if isinstance(message, DeadlineDue):
        await _advance(rt, message, partition)
        deadline_index.remove(
            rt.deadlines,
            partition,
            message.subject,
            message.data.due_at,
            message.data.aggregate,
        )
    elif isinstance(message, ShareRecorded | SharedLeadReleased):
        await commands.apply_command(rt, message, partition, offset)


async def _advance(rt: Runtime, message: DeadlineDue, partition: int) -> None:
    """Advance the subject's clocks in the fold that owns it."""
    if message.data.aggregate == "lead":
        # Not between the lead agent's read of a batch's states and their write.
        async with rt.lead_lock:
            await _advance_in(rt, message, partition)
    else:
        await _advance_in(rt, message, partition)


async def _advance_in(rt: Runtime, message: DeadlineDue, partition: int) -> None:
    table, load, advance, dump = FOLDS[message.data.aggregate]
    raw_state = getattr(rt, table).get(message.subject)
    if raw_state is None:
        return
    outcome = advance(load(raw_state), message.data.due_at, rt.policy)
    if outcome.emitted and outcome.state is not None:
        # Send first, then record: if sending fails, the clock is still due in the
        # state, so the next event or a retry raises it instead of losing it.
        await emit(rt, outcome.emitted, partition, message.data.aggregate)
        getattr(rt, table)[message.subject] = dump(outcome.state)


FOLDS: dict[str, tuple[str, Any, Any, Any]] = {
    # The stored form: a lead's state carries its chain head (streams/agents/lead_batch.py).
    "lead": ("leads", state_from_json, advance_lead, stored_to_json),
    "agreement": ("agreements", agreement_from_json, advance_agreement, agreement_to_json),
    "dispute": ("disputes", dispute_from_json, advance_dispute, dispute_to_json),
}


Asked = dict[str, set[tuple[str, datetime, str]]]
"""Per deadline-index bucket, the (subject, due_at, aggregate) already asked for."""


def register(rt: Runtime, tick_seconds: float = 1.0) -> None:
    sent: Asked = {}

    @rt.app.agent(rt.clocks_topic, name="clocks")  # type: ignore[untyped-decorator]
    async def clocks_agent(stream: Any) -> None:
        async for event in finished_events(stream):
            try:
                message = event.message
                await apply_due(rt, message.value, message.partition, message.offset)
            except Exception:
                log.exception("clock message failed on %s", event.message.tp)

    @rt.app.timer(interval=tick_seconds)  # type: ignore[untyped-decorator]
    async def tick() -> None:
        try:
            await send_due(rt, datetime.now(UTC), sent)
        except Exception:
            log.exception("timer tick failed")


def _behind(rt: Runtime, aggregate: str, partition: int) -> bool:
    """The aggregate's input partition still has fetched events to apply: ask later."""
    topic = rt.leads_topic if aggregate == "lead" else rt.agreements_topic
    return has_backlog(rt, topic.get_topic_name(), partition)


def owned_partitions(rt: Runtime) -> frozenset[int]:
    name = rt.leads_topic.get_topic_name()
    return frozenset(tp.partition for tp in rt.app.assignor.assigned_actives() if tp.topic == name)


async def send_due(rt: Runtime, now: datetime, sent: Asked) -> int:
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
        partition = deadline_index.partition_of(key)
        for due_at, subject, aggregate in deadline_index.due_entries(rt.deadlines, key, now):
            # Checked before the request is built: while its partition has a backlog, a
            # due entry is met every second, and building its DeadlineDue (a pydantic
            # model, a uuid5) each time was most of a tick (issue 19).
            entry = (subject, due_at, aggregate)
            if entry in asked or _behind(rt, aggregate, partition):
                continue
            asked.add(entry)
            request = deadline_due(subject, due_at, aggregate)
            await rt.clocks_topic.send(key=subject.encode(), value=encode(request))
            count += 1
    rt.counters.clocks_due_sent += count
    return count
