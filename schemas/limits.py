"""What an event may be: the size limits of the contract (docs/partners.md, "The contract").

A limit is validation, not a schema change: the Avro schemas keep their wire shape, and
these bounds are checked where events enter (the admission step for partners' publish
topics, the HTTP door, the intake agents for the internal topics) by the pydantic
models, but not when the record log is read (``decode(..., as_recorded=True)``), like
the contract's time range: a record written before a bound existed still reads.

The bounds leave room under the broker's 1 MB message limit for everything the system
writes about an accepted event: its record-log copy (sealed and stamped, a few hundred
bytes more), and a rejection, which keeps the original in base64 (a third larger).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from schemas.times import AS_RECORDED

MAX_EVENT_BYTES = 262_144
"""An event's encoded size (Avro single-object encoding, header included), at most."""

MAX_ID_CHARS = 256
"""Identifiers and names: ``event_id``, ``subject``, ``source``, ``actor``, a person's
names, phone, job title, company, country, region, a lead's industry, an owner."""

MAX_EMAIL_CHARS = 254
"""An email address (RFC 5321's longest usable path)."""

MAX_TEXT_CHARS = 10_000
"""Free text: a reason, a dispute's claim, a signer's title, an outcome."""


def _at_most(limit: int) -> AfterValidator:
    """A string's bound, enforced where events enter and not on the record log: what was
    recorded before the bound existed still reads (``schemas/times.py``, AS_RECORDED)."""

    def check(value: str, info: ValidationInfo) -> str:
        if len(value) > limit and not (info.context and info.context.get(AS_RECORDED)):
            raise PydanticCustomError(
                "string_too_long",
                "{size} characters, over the contract's limit of {limit} characters",
                {"size": len(value), "limit": limit},
            )
        return value

    return AfterValidator(check)


Short = Annotated[str, _at_most(MAX_ID_CHARS)]
ShortNonEmpty = Annotated[str, Field(min_length=1), _at_most(MAX_ID_CHARS)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$"), _at_most(MAX_EMAIL_CHARS)]
Text = Annotated[str, _at_most(MAX_TEXT_CHARS)]
TextNonEmpty = Annotated[str, Field(min_length=1), _at_most(MAX_TEXT_CHARS)]


def event_too_large(size: int, limit: int = MAX_EVENT_BYTES) -> str | None:
    """The reason an encoded event of ``size`` bytes is refused, or None if it fits."""
    if size <= limit:
        return None
    return f"event of {size} bytes is over the contract's limit of {limit} bytes per event"
