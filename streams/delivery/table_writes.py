"""A handling's table writes, so its acknowledgement can wait until they landed.

A Faust table write (``table[key] = value``) only puts a changelog message in the
producer's buffer; Faust's table API returns no future for it, and Faust commits an
acknowledged offset without waiting for that buffer (``Consumer._commit_tps`` waits
only for "attached" messages). A ``kill -9`` between the commit and the buffer's
flush lost state whose event would not be read again: per event a window of a few
writes, for a batch of events hundreds (the first batching attempt failed the fault
harness's crash scenario on it; docs/performance.md, *Batching the lead agent*).

:func:`install` wraps ``Collection.send_changelog``, which every table write goes
through, so that while :func:`collected` is open the future of each changelog message
is kept. The agent loops (``streams/delivery/agent_loop.py``) open it around a handling and
acknowledge the handling's messages only after :func:`landed`: a committed offset then
implies that the state it produced is on the changelog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from faust.tables.base import Collection

log = logging.getLogger(__name__)
_PENDING: ContextVar[list[Any] | None] = ContextVar("leadledger_table_writes", default=None)


def install() -> None:
    original = Collection.send_changelog
    if getattr(original, "leadledger_collects", False):
        return

    def send_changelog(self: Any, *args: Any, **kwargs: Any) -> Any:
        future = original(self, *args, **kwargs)
        pending = _PENDING.get()
        if pending is not None:
            pending.append(future)
        return future

    send_changelog.leadledger_collects = True  # type: ignore[attr-defined]
    Collection.send_changelog = send_changelog  # type: ignore[method-assign]


@contextmanager
def collected() -> Iterator[list[Any]]:
    """The futures of the changelog writes made inside the ``with`` block."""
    writes: list[Any] = []
    _PENDING.set(writes)
    try:
        yield writes
    finally:
        # Not reset by token: an agent's generator may be closed from another context.
        _PENDING.set(None)


async def landed(writes: list[Any]) -> bool:
    """Wait until the broker has every write; False (logged) if one of them failed."""
    if not writes:
        return True
    results = await asyncio.gather(*writes, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        log.error(
            "%d of %d table writes failed (%r); their messages are not acknowledged",
            len(failures),
            len(writes),
            failures[0],
        )
        return False
    return True


async def landed_so_far() -> bool:
    """Wait until the broker has every write this handling made so far (True outside
    a handling, where nothing is collected).

    For writes that must land before the next one is made. A redelivery reads an
    aggregate's state (its seen event ids) to know what was already done, so the state
    is written last: what derives from it (chain heads, the deadline index, escalation
    rows) lands first. A kill -9 between a state's write and its deadline-index entry
    once left a clock in the state that no timer would ever fire (the crash scenario,
    seed 977954: ten leads' clocks and escalations lost); the redelivered events were
    duplicates and wrote nothing again.
    """
    pending = _PENDING.get()
    return await landed(list(pending)) if pending else True


def fail(exc: BaseException) -> None:
    """The handling in progress could not write its outcome (its rejection): its
    messages are acknowledged as unhandled (:func:`landed` is False), so read again."""
    pending = _PENDING.get()
    if pending is None:
        return
    failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    failed.set_exception(exc)
    pending.append(failed)
