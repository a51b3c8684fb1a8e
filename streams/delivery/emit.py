"""Route what the core returns to the topics and the deadline index.

Each output goes to at most one topic, keyed by its subject; this module is the only
writer of the escalations, notifications and partner-activity topics, and of the
clocks topic but for the ``DeadlineDue`` the timer sends (``streams/agents/clock.py``).

The clocks' audit trail (``DeadlineScheduled``, ``DeadlineCancelled``) goes to no
topic (issue 19): no agent and no subscriber reads it, a scheduled clock is kept in
the lead's state and the deadline index (:func:`note_outputs`), and a replay of the
record log derives every one of them again (``projections.replay``). It was a third
of the records an input event caused besides its record-log copy, each produced and
read back by the clock agent only to be passed over (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Iterable, Sequence
from typing import Any

from projections.history import iso_z
from schemas.codec import encode
from schemas.envelope import Envelope
from schemas.partner_system_events import (
    CommissionAccrued,
    PartnerActivity,
    SharedLeadReleased,
    ShareRecorded,
)
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineScheduled,
    EscalationRaised,
    EventRejected,
    LeadShareRejected,
    NotificationRaised,
)
from streams.delivery import table_writes, tally
from streams.delivery.rejections import rejection_for
from streams.observability import reasons
from streams.personal_data.worker import sealed_original
from streams.runtime import Runtime
from streams.state import deadline_index

log = logging.getLogger(__name__)


def escalation_row(escalation: EscalationRaised) -> bytes:
    """What ``GET /escalations`` lists: the replay contract's fields."""
    row = {
        "rule": escalation.data.rule,
        "subject": escalation.subject,
        "due_at": iso_z(escalation.data.due_at),
        "escalation_id": escalation.data.escalation_id,
        "notify": escalation.data.notify,
        "action": escalation.data.action,
    }
    return json.dumps(row).encode()


async def emit(
    rt: Runtime, outputs: Sequence[Envelope], partition: int, aggregate: str = "lead"
) -> None:
    """Send each output and wait until the broker has them all; then note them in the
    tables (escalation rows, the deadline index by due time for the timer).

    ``aggregate`` names the fold that emitted them (lead, agreement or dispute): the
    timer's ``DeadlineDue`` carries it back to that fold.

    The caller records its new state only after this returns. A kill -9 can land some
    of an event's writes and not others (they go to different partitions): a state on
    its changelog with its escalation lost, and the redelivered event a duplicate that
    emits nothing again. Waiting for delivery first, and for the notes to land, makes
    "state written" imply "outputs delivered and noted".
    """
    sent = await send_outputs(rt, outputs)
    if sent:
        await asyncio.gather(*sent)
    note_outputs(rt, outputs, partition, aggregate)
    # The notes land before the caller's state: once the state is written, a redelivery
    # is a duplicate that notes nothing again (table_writes.landed_so_far).
    if outputs and not await table_writes.landed_so_far():
        raise RuntimeError("the escalation rows or deadline index entries were not written")


async def send_outputs(rt: Runtime, outputs: Iterable[Envelope]) -> list[Awaitable[Any]]:
    """Hand each output that has a topic to the producer; the futures say when the
    broker has them."""
    sent: list[Awaitable[Any]] = []
    for output in outputs:
        topic = _route(rt, output)
        if topic is None:  # the clocks' audit trail: noted, never sent
            continue
        sent.append(await topic.send(key=output.subject.encode(), value=encode(output)))
    return sent


def _route(rt: Runtime, output: Envelope) -> Any:
    if isinstance(output, ShareRecorded | SharedLeadReleased):
        # A command for another aggregate: the clocks topic has the same partitions
        # as the leads and agreements topics, so it reaches the worker owning it.
        return rt.clocks_topic
    if isinstance(output, PartnerActivity):
        return rt.partner_activity_topic
    if isinstance(output, CommissionAccrued | NotificationRaised):
        return rt.notifications_topic
    if isinstance(output, LeadShareRejected):
        return rt.rejections_topic
    if isinstance(output, EscalationRaised):
        return rt.escalations_topic
    if isinstance(output, DeadlineScheduled | DeadlineCancelled):
        return None  # the audit trail: in the state and the index, derived by replay
    raise TypeError(f"no route for emitted event type {output.type}")


def note_outputs(
    rt: Runtime, outputs: Iterable[Envelope], partition: int, aggregate: str = "lead"
) -> None:
    """The table side of delivered outputs: escalation rows and the deadline index."""
    for output in outputs:
        if isinstance(output, EscalationRaised):
            rt.counters.escalations += 1
            rt.escalations[output.data.escalation_id] = escalation_row(output)
        elif isinstance(output, DeadlineScheduled):
            bucket = deadline_index.add(
                rt.deadlines, partition, output.subject, output.data.due_at, aggregate
            )
            rt.schedule.note(bucket)


async def reject(rt: Runtime, rejection: EventRejected, reason: str | None = None) -> None:
    """Send the rejection and wait until the broker has it: the message is then
    acknowledged, and a rejection lost would leave it neither processed nor rejected."""
    await (await send_rejection(rt, rejection, reason))


async def send_rejection(
    rt: Runtime, rejection: EventRejected, reason: str | None = None
) -> Awaitable[Any]:
    """Hand the rejection to the producer (counted once per message: ``tally``); the
    future says when it landed.

    ``reason``: its reason class for ``GET /metrics``, where the caller knows the stage
    that refused it; else told from the reasons' text (``observability.reasons``).
    """
    tally.rejected(rt.counters, reason or reasons.classify(rejection.data.reasons))
    sent: Awaitable[Any] = await rt.rejections_topic.send(
        key=rejection.subject.encode(), value=encode(rejection)
    )
    return sent


async def reject_failure(rt: Runtime, message: Any, exc: Exception) -> None:
    """Last resort of an agent: the message is rejected with the failure as its reason.

    The rejection fits whatever the message was (``rejection_for`` bounds it), so a
    send that failed for size ends here in a rejection, counted once (``tally``). If
    even this rejection cannot be published, the handling is marked failed: its message
    is not acknowledged, so it is read again, and the intake janitor, which deletes
    only below committed offsets, keeps it meanwhile.
    """
    try:
        rejection = rejection_for(
            reasons=[f"internal error: {type(exc).__name__}: {exc}"],
            # Never the plaintext: a person in it is kept sealed (docs/auditors.md).
            original=await sealed_original(
                rt, message.value, own_lead=message.topic == rt.leads_topic.get_topic_name()
            ),
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        await reject(rt, rejection, reasons.INTERNAL)
    except Exception as failed:
        log.exception("could not publish the rejection of %s; it is read again", message.tp)
        handling = tally.current()
        if handling is not None:
            tally.undo(rt.counters, handling)  # counted again when read again
        table_writes.fail(failed)
