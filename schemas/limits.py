"""What an event may be: the size limits of the contract (docs/partners.md, "The contract").

A limit is validation, not a schema change: the Avro schemas keep their wire shape, and
these bounds are checked where events enter (the admission step for partners' publish
topics, the intake agents for the internal topics) and by the pydantic models.

The bounds leave room under the broker's 1 MB message limit for everything the system
writes about an accepted event: its record-log copy (sealed and stamped, a few hundred
bytes more), and a rejection, which keeps the original in base64 (a third larger).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_EVENT_BYTES = 262_144
"""An event's encoded size (Avro single-object encoding, header included), at most."""

MAX_ID_CHARS = 256
"""Identifiers and names: ``event_id``, ``subject``, ``source``, ``actor``, a person's
names, phone, job title, company, country, region, a lead's industry, an owner."""

MAX_EMAIL_CHARS = 254
"""An email address (RFC 5321's longest usable path)."""

MAX_TEXT_CHARS = 10_000
"""Free text: a reason, a dispute's claim, a signer's title, an outcome."""

Short = Annotated[str, Field(max_length=MAX_ID_CHARS)]
ShortNonEmpty = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
Email = Annotated[str, Field(max_length=MAX_EMAIL_CHARS, pattern=r"^[^@\s]+@[^@\s]+$")]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
TextNonEmpty = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS)]


def event_too_large(size: int, limit: int = MAX_EVENT_BYTES) -> str | None:
    """The reason an encoded event of ``size`` bytes is refused, or None if it fits."""
    if size <= limit:
        return None
    return f"event of {size} bytes is over the contract's limit of {limit} bytes per event"
