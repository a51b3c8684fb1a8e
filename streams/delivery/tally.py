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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from streams.runtime import Counters


@dataclass
class Tally:
    """What one message's handling has counted so far."""

    received: bool = False
    processed: bool = False
    rejected: bool = False
    duplicate: bool = False


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


def received(counters: Counters) -> None:
    tally = _CURRENT.get()
    if tally is not None:
        if tally.received:
            return
        tally.received = True
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


def rejected(counters: Counters) -> None:
    tally = _CURRENT.get()
    if tally is not None:
        if tally.rejected:
            return
        if tally.processed:
            counters.processed -= 1
            tally.processed = False
        tally.rejected = True
    counters.rejected += 1


def undo(counters: Counters, tally: Tally) -> None:
    """Take back what ``tally`` counted: its message will be handled (counted) again."""
    counters.received -= tally.received
    counters.processed -= tally.processed
    counters.rejected -= tally.rejected
    counters.duplicates -= tally.duplicate
    tally.received = tally.processed = tally.rejected = tally.duplicate = False


def current() -> Tally | None:
    return _CURRENT.get()
