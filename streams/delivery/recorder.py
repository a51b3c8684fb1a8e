"""Append an event the fold decided on, accepted or refused, to the record log (shell side).

Each event that passed the envelope checks is stamped (``projections.chain.stamp``)
with its subject's chain head, kept in the ``chain-heads`` table, and ``recorded_at``
from the runtime's clock, and appended to the record-log topic on the partition it
came in on (same key, same partition count: the record log is co-partitioned with
intake and the tables). A partner's own ``record`` is replaced, never trusted.

An event is stamped (:func:`stamp_next`), folded, and only then sent
(:func:`send_record`): what the fold cannot take is never recorded. The send is
awaited until the broker has it; only then are the head (:func:`advance_head`) and the
state written (log first). A crash before the head's changelog write
landed re-appends the event on redelivery with the same ``prev_hash``, which
``chain.first_break`` reads as a redelivery (replay dedupes on event id); after it
landed, the record is known to be in the log, and the redelivery is not appended
again (:func:`already_recorded`) but still folded, as its state was not written.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, MutableMapping
from typing import Any, TypeVar

from projections.chain import stamp
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.runtime import Runtime

E = TypeVar("E", bound=Envelope)
INTAKE_HEADER = "intake"
"""Header of a record-log message: ``<partition>:<offset>`` of the intake message it
came from, so an auditor (and the fault harness) can account for every intake offset
after the janitor deleted intake."""


Heads = MutableMapping[str, bytes]
"""The chain heads: ``rt.chain_heads`` itself, or a batch's working copy of it
(``streams/agents/lead_batch.py``); ``None`` below means the table."""


def _head(rt: Runtime, subject: str, heads: Heads | None = None) -> dict[str, Any] | None:
    raw = (rt.chain_heads if heads is None else heads).get(subject)
    return json.loads(raw) if raw else None


def already_recorded(
    rt: Runtime, subject: str, event_id: str, seen: frozenset[str], heads: Heads | None = None
) -> bool:
    """The event is in the record log already: a duplicate the fold will skip.

    ``seen`` is the lead's (or aggregate's) applied event ids; the head catches a
    repeat of an event no state remembers (e.g. one refused for an unknown lead).
    """
    head = _head(rt, subject, heads)
    return event_id in seen or (head is not None and head["event_id"] == event_id)


def stamp_next(rt: Runtime, event: E, heads: Heads | None = None) -> E:
    """The event as it will be recorded next in its subject's chain (nothing sent).

    The agents fold this form *before* they send it (:func:`send_record`): an event
    the fold cannot take must leave no record-log copy. A ``LeadActivity`` dated
    9999-12-31 once raised in the fold (a clock's due time overflowed) after it was
    appended; the live worker rejected it, and every replay past its time failed."""
    head = _head(rt, event.subject, heads)
    return stamp(event, head["hash"] if head else None, rt.clock())


async def send_record(
    rt: Runtime, topic: Any, stamped: Envelope, partition: int, offset: int
) -> Awaitable[Any]:
    """Hand a stamped event to the producer for ``topic``; the future says when the
    broker has it."""
    sent: Awaitable[Any] = await topic.send(
        key=stamped.subject.encode(),
        value=encode(stamped),
        partition=partition,
        headers=[(INTAKE_HEADER, f"{partition}:{offset}".encode())],
    )
    return sent


def advance_head(rt: Runtime, stamped: Envelope, heads: Heads | None = None) -> None:
    """The subject's chain now ends at ``stamped``."""
    assert stamped.record is not None
    (rt.chain_heads if heads is None else heads)[stamped.subject] = json.dumps(
        {"hash": stamped.record.hash, "event_id": stamped.event_id}
    ).encode()
