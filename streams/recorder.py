"""Append an accepted event to the record log, stamped and chained (the shell side).

Each event that passed the envelope checks is stamped (``projections.chain.stamp``)
with its subject's chain head, kept in the ``chain-heads`` table, and ``recorded_at``
from the runtime's clock, and appended to the record-log topic on the partition it
came in on (same key, same partition count: the record log is co-partitioned with
intake and the tables). A partner's own ``record`` is replaced, never trusted.

The head is written right after the append (:func:`advance_head`), before the fold.
A crash before its changelog write landed re-appends the event on redelivery with
the same ``prev_hash``, which ``chain.first_break`` reads as a redelivery (replay
dedupes on event id); after it landed, the redelivery is not appended again
(:func:`already_recorded`) but still folded, as its state was not written.
"""

from __future__ import annotations

import json
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


def _head(rt: Runtime, subject: str) -> dict[str, Any] | None:
    raw = rt.chain_heads.get(subject)
    return json.loads(raw) if raw else None


def already_recorded(rt: Runtime, subject: str, event_id: str, seen: frozenset[str]) -> bool:
    """The event is in the record log already: a duplicate the fold will skip.

    ``seen`` is the lead's (or aggregate's) applied event ids; the head catches a
    repeat of an event no state remembers (e.g. one refused for an unknown lead).
    """
    head = _head(rt, subject)
    return event_id in seen or (head is not None and head["event_id"] == event_id)


async def append(rt: Runtime, topic: Any, event: E, partition: int, offset: int) -> E:
    """The event as stamped and appended to ``topic`` (a record-log topic)."""
    head = _head(rt, event.subject)
    stamped = stamp(event, head["hash"] if head else None, rt.clock())
    await topic.send(
        key=event.subject.encode(),
        value=encode(stamped),
        partition=partition,
        headers=[(INTAKE_HEADER, f"{partition}:{offset}".encode())],
    )
    return stamped


def advance_head(rt: Runtime, stamped: Envelope) -> None:
    """The subject's chain now ends at ``stamped``."""
    assert stamped.record is not None
    rt.chain_heads[stamped.subject] = json.dumps(
        {"hash": stamped.record.hash, "event_id": stamped.event_id}
    ).encode()
