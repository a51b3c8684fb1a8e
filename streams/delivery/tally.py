"""Each input message counted exactly once: ``received``, then ``processed`` or ``rejected``.

A handling that fails half-way used to count twice: the failed rejection's send had
already counted the message as rejected, and the last-resort rejection of the agent loop
(``emit.reject_failure``) counted it again (issue 20: an undecodable 900 kB message
added 1 to ``received`` and 2 to ``rejected``). So the agent loops open a
:func:`message` scope around each message's handling, and the counting helpers below
note in it what that message was counted as: a second rejection of the same message is
not counted again, and a rejection after the message was counted processed (a send that
failed once the fold had applied it) moves it from processed to rejected. A batch that
is handled again undoes what its messages counted (:func:`undo`), rather than setting
the counters back, which would drop what other agents counted meanwhile.

Outside a scope (a test calling a handler directly) each call counts as it says.

The scope also notes the message's event type (:func:`note_type`, once decoded) and its
rejection's reason class (a bounded label, ``streams/observability/reasons.py``), and
when it closes adds the message to ``Counters.outcomes`` by type and reason, for
``GET /metrics``; :func:`undo` takes that back too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from streams.observability.reasons import OTHER
from streams.runtime import Counters

UNKNOWN_TYPE = "unknown"  # not decoded (undecodable, oversized): no type to name


@dataclass
class Tally:
    """What one message's handling has counted so far."""

    received: bool = False
    processed: bool = False
    rejected: bool = False
    duplicate: bool = False
    event_type: str = UNKNOWN_TYPE
    reason: str = ""  # the rejection's reason class
    counters: Counters | None = None  # where it was counted, for the outcomes at close
    settled: tuple[tuple[str, str, str], ...] = ()  # the outcomes it added at close


_CURRENT: ContextVar[Tally | None] = ContextVar("leadledger_tally", default=None)


@contextmanager
def message() -> Iterator[Tally]:
    """The scope of one message's handling."""
    tally = Tally()
    token = _CURRENT.set(tally)
    try:
        yield tally
    finally:
        _CURRENT.reset(token)
        _settle(tally)


def _settle(tally: Tally) -> None:
    """Add what the closing scope's message ended as to ``Counters.outcomes``."""
    if tally.counters is None or not tally.received:
        return
    keys = [("received", tally.event_type, "")]
    if tally.processed:
        keys.append(("processed", tally.event_type, ""))
    if tally.rejected:
        keys.append(("rejected", tally.event_type, tally.reason))
    outcomes = tally.counters.outcomes
    for key in keys:
        outcomes[key] = outcomes.get(key, 0) + 1
    tally.settled = tuple(keys)


def note_type(event_type: str) -> None:
    """The message being handled decoded as ``event_type`` (a type of the contract)."""
    tally = _CURRENT.get()
    if tally is not None:
        tally.event_type = event_type


def received(counters: Counters) -> None:
    tally = _CURRENT.get()
    if tally is not None:
        if tally.received:
            return
        tally.received = True
        tally.counters = counters
    counters.received += 1


def duplicate(counters: Counters) -> None:
    tally = _CURRENT.get()
    if tally is not None:
        if tally.duplicate:
            return
        tally.duplicate = True
    counters.duplicates += 1


def processed(counters: Counters) -> None:
    tally = _CURRENT.get()
    if tally is not None:
        if tally.processed or tally.rejected:
            return
        tally.processed = True
    counters.processed += 1


def rejected(counters: Counters, reason: str = OTHER) -> None:
    """``reason``: the rejection's reason class (``streams/observability/reasons.py``);
    the first rejection of a message names it."""
    tally = _CURRENT.get()
    if tally is not None:
        if tally.rejected:
            return
        if tally.processed:
            counters.processed -= 1
            tally.processed = False
        tally.rejected = True
        tally.reason = reason
    counters.rejected += 1


def undo(counters: Counters, tally: Tally) -> None:
    """Take back what ``tally`` counted: its message will be handled (counted) again."""
    counters.received -= tally.received
    counters.processed -= tally.processed
    counters.rejected -= tally.rejected
    counters.duplicates -= tally.duplicate
    for key in tally.settled:
        counters.outcomes[key] -= 1
    tally.received = tally.processed = tally.rejected = tally.duplicate = False
    tally.settled = ()


def current() -> Tally | None:
    return _CURRENT.get()
