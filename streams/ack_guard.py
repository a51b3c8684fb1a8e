"""Only a finished handling may acknowledge a message; Faust's other acks are forgotten.

Faust acknowledges a message in two places besides an agent's own ack: in the
``finally`` of its stream iterator (turned off with ``noack``, ``streams/agent_loop.py``)
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
holds the partition's commits back until the message, read again under the new
generation, is handled. Topics without acks (changelogs) are left alone.
"""

from __future__ import annotations

import weakref
from typing import Any

from faust.transport.consumer import Consumer
from faust.types.tuples import ack_lock

_HANDLED: weakref.WeakSet[Any] = weakref.WeakSet()


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
        if counts(message) or not self.app.topics.acks_enabled_for(message.topic):
            _HANDLED.discard(message)
            return bool(original(self, message))
        with ack_lock:  # Faust's own lock for its ack bookkeeping
            self._unacked_messages.discard(message)
            message.acked = True
        return False

    ack.leadledger_guard = True  # type: ignore[attr-defined]
    Consumer.ack = ack  # type: ignore[method-assign]
