"""Turn a refused message into an ``EventRejected`` that loses nothing and always fits.

The rejection carries the original bytes (base64) and where they came from; its id is
derived from (topic, partition, offset), so a redelivered message is rejected under
the same id and consumers of the rejections topic can dedupe.

A rejection must fit the rejections topic (and a partner's feed: the broker's 1 MB per
message), or the message it accounts for is lost. So an original over
``MAX_ORIGINAL_BYTES`` is kept as its first ``ORIGINAL_PREFIX_BYTES``, with a reason
giving its size and SHA-256; reasons and the subject taken from a message key are
bounded too. The original stays where it came from until the rejection is on the
broker (the intake janitors delete only below committed, i.e. handled, offsets).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, datetime

from schemas.envelope import Envelope
from schemas.system_events import EventRejected, EventRejectedData

REJECTION_NAMESPACE = uuid.UUID("6f1c1b8e-2b8e-4d8a-9c39-4a7f5d0e6c11")
SYSTEM_SOURCE = "leadledger"
MAX_ORIGINAL_BYTES = 512_000
"""An original kept whole up to this size: base64 makes it 683 kB, under 1 MB."""
ORIGINAL_PREFIX_BYTES = 4_096
"""What is kept of a larger original: enough to tell what it was."""
MAX_REASON_CHARS = 2_000
MAX_REASONS = 20
MAX_SUBJECT_CHARS = 256  # schemas.limits.MAX_ID_CHARS, the envelope's own bound


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
    if len(subject) > MAX_SUBJECT_CHARS:
        subject = where  # a key too long to be any event's subject
    reasons = bounded_reasons(reasons)
    original = kept_original(original, reasons)
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


def kept_original(original: bytes | None, reasons: list[str]) -> bytes | None:
    """The original, or its prefix with a reason giving its size and SHA-256."""
    if original is None or len(original) <= MAX_ORIGINAL_BYTES:
        return original
    digest = hashlib.sha256(original).hexdigest()
    reasons.append(
        f"original of {len(original)} bytes is over the {MAX_ORIGINAL_BYTES} bytes a "
        f"rejection keeps: kept as its first {ORIGINAL_PREFIX_BYTES} bytes; "
        f"sha256 {digest}"
    )
    return original[:ORIGINAL_PREFIX_BYTES]


def bounded_reasons(reasons: list[str]) -> list[str]:
    """At most ``MAX_REASONS`` reasons of at most ``MAX_REASON_CHARS`` each."""
    kept = [_bounded(reason) for reason in reasons[:MAX_REASONS]]
    if len(reasons) > MAX_REASONS:
        kept.append(f"and {len(reasons) - MAX_REASONS} more reasons")
    return kept or ["refused"]


def _bounded(reason: str) -> str:
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return f"{reason[:MAX_REASON_CHARS]}... ({len(reason)} characters)"
