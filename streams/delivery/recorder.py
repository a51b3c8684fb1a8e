"""Append an event the fold decided on, accepted or refused, to the record log (shell side).

Each event that passed the envelope checks is stamped (``projections.chain.stamp``)
with its subject's chain head and ``recorded_at`` from the runtime's clock, and
appended to the record-log topic on the partition it came in on (same key, same
partition count: the record log is co-partitioned with intake and the tables). A
partner's own ``record`` is replaced, never trusted.

Where a head is kept (:class:`Heads`): a lead's in its state (``LeadState.chain_head``,
written by the lead agent with the state, one changelog write for both:
``streams/agents/lead_batch.py``); any other subject's (agreements, disputes, an event
refused for a lead that has no state) in the ``chain-heads`` table (:class:`TableHeads`),
which is also read for a lead whose state, stored before heads moved into states
(issue 19), has none yet.

An event is stamped (:func:`stamp_next`), folded, and only then sent
(:func:`send_record`): what the fold cannot take is never recorded. The send is
awaited until the broker has it; only then is the head (:func:`advance_head`)
written: a lead's in the same write as its state, any other subject's before its
state (log first). A crash before the head's write landed re-appends the event on
redelivery with the same ``prev_hash`` (the lost events after it then link to their
own second copies), which ``chain.first_break`` reads as a redelivery; replay folds
the first copy only, and the second says the same (its sealed person too: a new
lead's key lands before anything sealed under it is sent). For a lead that crash lost
its state as well, so the redelivered events are folded again as if new, as replay
folded their first copies. Once the head (or the lead's state, with its seen ids)
landed, the event is known to be in the log and is not appended again
(:func:`already_recorded`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from typing import Any, Protocol, TypeVar

from projections.chain import ChainHead, stamp
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.runtime import Runtime

E = TypeVar("E", bound=Envelope)
INTAKE_HEADER = "intake"
"""Header of a record-log message: ``<partition>:<offset>`` of the intake message it
came from, so an auditor (and the fault harness) can account for every intake offset
after the janitor deleted intake."""


class Heads(Protocol):
    """Where the chain heads are read and advanced: :class:`TableHeads`, or a lead
    batch's working copy (``streams/agents/lead_batch.py``); ``None`` below means the
    ``chain-heads`` table."""

    def head(self, subject: str) -> ChainHead | None: ...

    def advance(self, subject: str, head: ChainHead) -> None: ...


class TableHeads:
    """The ``chain-heads`` table: ``{"hash": ..., "event_id": ...}`` as JSON by subject."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def head(self, subject: str) -> ChainHead | None:
        raw = self._table.get(subject)
        if not raw:
            return None
        body = json.loads(raw)
        return ChainHead(body["hash"], body["event_id"])

    def advance(self, subject: str, head: ChainHead) -> None:
        self._table[subject] = json.dumps({"hash": head.hash, "event_id": head.event_id}).encode()


def _heads(rt: Runtime, heads: Heads | None) -> Heads:
    return TableHeads(rt.chain_heads) if heads is None else heads


def already_recorded(
    rt: Runtime, subject: str, event_id: str, seen: frozenset[str], heads: Heads | None = None
) -> bool:
    """The event is in the record log already: a duplicate the fold will skip.

    ``seen`` is the lead's (or aggregate's) applied event ids; the head catches a
    repeat of an event no state remembers (e.g. one refused for an unknown lead).
    """
    head = _heads(rt, heads).head(subject)
    return event_id in seen or (head is not None and head.event_id == event_id)


def stamp_next(rt: Runtime, event: E, heads: Heads | None = None) -> E:
    """The event as it will be recorded next in its subject's chain (nothing sent).

    The agents fold this form *before* they send it (:func:`send_record`): an event
    the fold cannot take must leave no record-log copy. A ``LeadActivity`` dated
    9999-12-31 once raised in the fold (a clock's due time overflowed) after it was
    appended; the live worker rejected it, and every replay past its time failed."""
    head = _heads(rt, heads).head(event.subject)
    return stamp(event, head.hash if head else None, rt.clock())


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
    head = ChainHead(stamped.record.hash, stamped.event_id)
    _heads(rt, heads).advance(stamped.subject, head)
