"""Turn a refused message into an ``EventRejected`` that loses nothing.

The rejection carries the original bytes (base64) and where they came from; its id is
derived from (topic, partition, offset), so a redelivered message is rejected under
the same id and consumers of the rejections topic can dedupe.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

from schemas.envelope import Envelope
from schemas.system_events import EventRejected, EventRejectedData

REJECTION_NAMESPACE = uuid.UUID("6f1c1b8e-2b8e-4d8a-9c39-4a7f5d0e6c11")
SYSTEM_SOURCE = "leadledger"


def rejection_for(
    *,
    reasons: list[str],
    original: bytes | None,
    key: bytes | None,
    topic: str,
    partition: int,
    offset: int,
    event: Envelope | None = None,
    now: datetime | None = None,
) -> EventRejected:
    """Build the rejection; ``now`` only when the event's own time is unknown."""
    where = f"{topic}:{partition}:{offset}"
    subject = event.subject if event else (key.decode("utf-8", "replace") if key else where)
    return EventRejected(
        event_id=str(uuid.uuid5(REJECTION_NAMESPACE, where)),
        subject=subject or where,
        occurred_at=event.occurred_at if event else (now or datetime.now(UTC)),
        source=SYSTEM_SOURCE,
        actor="system",
        data=EventRejectedData(
            reasons=reasons,
            original=base64.b64encode(original).decode("ascii") if original is not None else None,
            rejected_event_id=event.event_id if event else None,
            rejected_type=event.type if event else None,
            topic=topic,
            partition=partition,
            offset=offset,
        ),
    )
