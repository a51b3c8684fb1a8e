"""Route what the core returns to the topics and the deadline index.

Each output goes to exactly one topic, keyed by its subject; this module is the only
writer of the escalations, notifications, partner-activity and clocks topics.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Iterable
from typing import Any

from projections.lead_state import iso_z
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
from streams import deadline_index
from streams.personal_data import sealed_original
from streams.rejections import rejection_for
from streams.runtime import Runtime

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
    rt: Runtime, outputs: Iterable[Envelope], partition: int, aggregate: str = "lead"
) -> None:
    """Send each output and wait until the broker has them all; deadlines are also
    indexed by due time for the timer.

    ``aggregate`` names the fold that emitted them (lead, agreement or dispute): the
    timer's ``DeadlineDue`` carries it back to that fold.

    The caller records its new state only after this returns. Faust flushes its
    producer before it commits an offset, but a kill -9 can land some of an event's
    writes and not others (they go to different partitions): a state on its changelog
    with its escalation lost, and the redelivered event a duplicate that emits nothing
    again. Waiting for delivery first makes "state written" imply "outputs delivered".
    """
    sent: list[Awaitable[Any]] = []
    for output in outputs:
        payload = encode(output)
        key = output.subject.encode()
        if isinstance(output, ShareRecorded | SharedLeadReleased):
            # A command for another aggregate: the clocks topic has the same partitions
            # as the leads and agreements topics, so it reaches the worker owning it.
            sent.append(await rt.clocks_topic.send(key=key, value=payload))
        elif isinstance(output, PartnerActivity):
            sent.append(await rt.partner_activity_topic.send(key=key, value=payload))
        elif isinstance(output, CommissionAccrued):
            sent.append(await rt.notifications_topic.send(key=key, value=payload))
        elif isinstance(output, LeadShareRejected):
            sent.append(await rt.rejections_topic.send(key=key, value=payload))
        elif isinstance(output, EscalationRaised):
            rt.counters.escalations += 1
            rt.escalations[output.data.escalation_id] = escalation_row(output)
            sent.append(await rt.escalations_topic.send(key=key, value=payload))
        elif isinstance(output, NotificationRaised):
            sent.append(await rt.notifications_topic.send(key=key, value=payload))
        elif isinstance(output, DeadlineScheduled):
            bucket = deadline_index.add(
                rt.deadlines, partition, output.subject, output.data.due_at, aggregate
            )
            rt.schedule.note(bucket)
            sent.append(await rt.clocks_topic.send(key=key, value=payload))
        elif isinstance(output, DeadlineCancelled):
            sent.append(await rt.clocks_topic.send(key=key, value=payload))
        else:
            raise TypeError(f"no route for emitted event type {output.type}")
    if sent:
        await asyncio.gather(*sent)


async def reject(rt: Runtime, rejection: EventRejected) -> None:
    """Send the rejection and wait until the broker has it: the message is then
    acknowledged, and a rejection lost would leave it neither processed nor rejected."""
    rt.counters.rejected += 1
    sent = await rt.rejections_topic.send(key=rejection.subject.encode(), value=encode(rejection))
    await sent


async def reject_failure(rt: Runtime, message: Any, exc: Exception) -> None:
    """Last resort of an agent: the message is rejected with the failure as its reason."""
    try:
        rejection = rejection_for(
            reasons=[f"internal error: {type(exc).__name__}: {exc}"],
            # Never the plaintext: a person in it is kept sealed (README, Personal data).
            original=await sealed_original(
                rt, message.value, own_lead=message.topic == rt.leads_topic.get_topic_name()
            ),
            key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        await reject(rt, rejection)
    except Exception:
        log.exception("could not publish the rejection of %s", message.tp)
