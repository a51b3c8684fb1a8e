"""Route what the core returns to the topics and the deadline index.

Each output goes to exactly one topic, keyed by its subject; this module is the only
writer of the escalations, notifications and clocks topics.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from projections.lead_state import iso_z
from schemas.codec import encode
from schemas.envelope import Envelope
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineScheduled,
    EscalationRaised,
    EventRejected,
    NotificationRaised,
)
from streams import deadline_index
from streams.runtime import Runtime


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


async def emit(rt: Runtime, outputs: Iterable[Envelope], partition: int) -> None:
    """Send each output; deadlines are also indexed by due time for the timer."""
    for output in outputs:
        payload = encode(output)
        key = output.subject.encode()
        if isinstance(output, EscalationRaised):
            rt.counters.escalations += 1
            rt.escalations[output.data.escalation_id] = escalation_row(output)
            await rt.escalations_topic.send(key=key, value=payload)
        elif isinstance(output, NotificationRaised):
            await rt.notifications_topic.send(key=key, value=payload)
        elif isinstance(output, DeadlineScheduled):
            bucket = deadline_index.add(rt.deadlines, partition, output.subject, output.data.due_at)
            rt.schedule.note(bucket)
            await rt.clocks_topic.send(key=key, value=payload)
        elif isinstance(output, DeadlineCancelled):
            await rt.clocks_topic.send(key=key, value=payload)
        else:
            raise TypeError(f"no route for emitted event type {output.type}")


async def reject(rt: Runtime, rejection: EventRejected) -> None:
    rt.counters.rejected += 1
    await rt.rejections_topic.send(key=rejection.subject.encode(), value=encode(rejection))
