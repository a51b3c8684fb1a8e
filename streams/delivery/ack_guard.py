"""Only a finished handling may acknowledge a message; Faust's other acks are forgotten.

Faust acknowledges a message in two places besides an agent's own ack: in the
``finally`` of its stream iterator (turned off with ``noack``, ``streams/delivery/agent_loop.py``)
and when it *skips* a message. It skips, and acknowledges, every message still queued
for a stream when a rebalance has changed the consumer generation (or flow control is
paused), assuming the partition is read again from its committed offset. But the
offsets of the skipped messages stay acknowledged, so the commit Faust makes when
partitions are revoked could pass messages no agent ever handled; a worker killed right
after lost them for good. The fault harness's crash scenario (a kill -9 while a second
worker joins) lost four consecutive events of one lead that way: in the intake topic,
absent from the record log, the tables and every changelog.

:func:`install` wraps Faust's ``Consumer.ack``: an acknowledgement counts (its offset
may be committed) only for a message :func:`finished_events` marked handled; any other
acknowledgement on an acknowledged topic just forgets the message, leaving a gap that
holds the partition's commits back until the message, read again, is handled. Faust
does not always read it again (it remembers how far it has read each partition), so
the guard also asks for the partition to be rewound to the forgotten offset
(:func:`rewind_forgotten`, run by a one-second timer): the message and those after it
are read again, and the ones already handled are duplicates the folds skip. Topics
without acks (changelogs) are left alone.
"""

from __future__ import annotations

import logging
import time
import weakref
from typing import Any

from faust.transport.consumer import Consumer
from faust.types.tuples import ack_lock

from streams.delivery import commit_guard

log = logging.getLogger(__name__)
_HANDLED: weakref.WeakSet[Any] = weakref.WeakSet()
_FORGOTTEN: dict[Any, int] = {}  # partition (Faust TP) -> lowest forgotten offset


def mark_handled(message: Any) -> None:
    """``message``'s handling finished: its acknowledgement may count."""
    _HANDLED.add(message)


def counts(message: Any) -> bool:
    return message in _HANDLED


def install() -> None:
    original = Consumer.ack
    if getattr(original, "leadledger_guard", False):
        return

    def ack(self: Any, message: Any) -> bool:
        handled = counts(message)
        if handled or not self.app.topics.acks_enabled_for(message.topic):
            if handled:
                commit_guard.note_handled(message.tp, message.offset)
            _HANDLED.discard(message)
            return bool(original(self, message))
        with ack_lock:  # Faust's own lock for its ack bookkeeping
            self._unacked_messages.discard(message)
            message.acked = True
            known = _FORGOTTEN.get(message.tp)
            _FORGOTTEN[message.tp] = message.offset if known is None else min(known, message.offset)
        return False

    ack.leadledger_guard = True  # type: ignore[attr-defined]
    Consumer.ack = ack  # type: ignore[method-assign]


def read_again_from(tp: Any, offset: int) -> None:
    """Have the partition read again from ``offset`` (at the next tick of the timer)."""
    with ack_lock:
        known = _FORGOTTEN.get(tp)
        _FORGOTTEN[tp] = offset if known is None else min(known, offset)


async def rewind_forgotten(consumer: Any, now: float) -> dict[Any, int]:
    """Seek each partition still held back to its lowest forgotten offset; what was done.

    Not while a rewind to that offset or before is still bringing its messages: those
    queued past it are forgotten as they arrive, and each would ask again.
    """
    with ack_lock:
        pending = dict(_FORGOTTEN)
        _FORGOTTEN.clear()
    assigned = consumer.assignment()
    done = {}
    for tp, offset in pending.items():
        if tp in assigned and not commit_guard.rewind_in_flight(tp, offset, now):
            await commit_guard.seek(consumer, tp, offset, now)
            done[tp] = offset
    return done


def register(app: Any) -> None:
    """The one-second timer that rewinds partitions to their forgotten messages."""

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]
    async def rewind_skipped() -> None:
        try:
            if done := await rewind_forgotten(app.consumer, time.monotonic()):
                log.info("reading again from the messages Faust skipped: %s", done)
        except Exception:
            log.exception("rewinding to skipped messages failed")
