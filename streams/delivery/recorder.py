"""Append an accepted event to the record log, stamped and chained (the shell side).

Each event that passed the envelope checks is stamped (``projections.chain.stamp``)
with its subject's chain head, kept in the ``chain-heads`` table, and ``recorded_at``
from the runtime's clock, and appended to the record-log topic on the partition it
came in on (same key, same partition count: the record log is co-partitioned with
intake and the tables). A partner's own ``record`` is replaced, never trusted.

The append is awaited until the broker has it; only then is the head written
(:func:`advance_head`), before the fold. A crash before the head's changelog write
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


async def append(rt: Runtime, topic: Any, event: E, partition: int, offset: int) -> E:
    """The event as stamped and appended to ``topic`` (a record-log topic), once the
    broker has it."""
    stamped, sent = await append_soon(rt, topic, event, partition, offset)
    # Log first: the chain head and the state are written only once the broker has the
    # record. A kill -9 can land some writes of an event and not others (they go to
    # different partitions); a head that landed without its record made the
    # redelivery skip the append, and the event was lost from the record log (the
    # fault harness's crash scenario: "neither recorded nor rejected").
    await sent
    return stamped


async def append_soon(
    rt: Runtime,
    topic: Any,
    event: E,
    partition: int,
    offset: int,
    *,
    heads: Heads | None = None,
) -> tuple[E, Awaitable[Any]]:
    """The event as stamped and handed to the producer for ``topic``, and the future
    that says when the broker has it (the caller awaits it before writing the head)."""
    head = _head(rt, event.subject, heads)
    stamped = stamp(event, head["hash"] if head else None, rt.clock())
    sent: Awaitable[Any] = await topic.send(
        key=event.subject.encode(),
        value=encode(stamped),
        partition=partition,
        headers=[(INTAKE_HEADER, f"{partition}:{offset}".encode())],
    )
    return stamped, sent


def advance_head(rt: Runtime, stamped: Envelope, heads: Heads | None = None) -> None:
    """The subject's chain now ends at ``stamped``."""
    assert stamped.record is not None
    (rt.chain_heads if heads is None else heads)[stamped.subject] = json.dumps(
        {"hash": stamped.record.hash, "event_id": stamped.event_id}
    ).encode()
