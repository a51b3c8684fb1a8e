"""The loop every input agent runs: each message handled, no exception escaping.

Faust acknowledges a message even when its agent raised, so a failure the handler did
not turn into a rejection becomes one here (``reject_failure``), and the message is
then noted as applied, so the timer's backlog check does not hold its partition's
clocks for it.

Acknowledgement is manual (:func:`finished_events`). Faust's own acks sit in the
``finally`` of its stream iterator, so a message is acknowledged, and its offset
committed, also when the agent is *cancelled* in the middle of it: a worker stopped
or rebalanced while it awaited a send lost that message's state write and emit for
good (the fault harness's two-workers scenario: one input neither processed nor
rejected, five escalations never raised). A message is now acknowledged only after
its handling finished, so a cancelled one is read again by the partition's next owner.

:func:`finished_batches` does the same for a batch: the events already waiting in the
stream's buffer are handed over together (never waiting for more, so an idle stream
adds no latency), and all of them are acknowledged only after the whole batch's work
is done. Faust's own ``take_events`` acknowledges its buffer in a ``finally``, also on
cancellation, so it is not used.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from streams.backlog import note_applied
from streams.commit_watchdog import HANDLING
from streams.emit import reject_failure
from streams.runtime import Runtime

log = logging.getLogger(__name__)

Handler = Callable[[Runtime, bytes | None, bytes | None, int, int], Awaitable[None]]
BatchHandler = Callable[[Runtime, Sequence[Any]], Awaitable[None]]
MAX_BATCH = 256
"""Events handed over at most at once: enough to share per-batch work, small enough
that a batch's unacknowledged events and its hold on the lead states stay short."""


async def finished_events(stream: Any) -> AsyncIterator[Any]:
    """Each event of ``stream``, acknowledged once the caller's loop body returns.

    A body that is cancelled never returns here, so its event stays unacknowledged
    and its offset uncommitted (at-least-once; handlers are idempotent on event id).
    """
    async for event in stream.noack().events():
        token = HANDLING.begin()  # a handling that never ends stops commits: watched
        try:
            yield event
        finally:
            HANDLING.end(token)
        event.ack()


async def handle_each(rt: Runtime, stream: Any, handle: Handler) -> None:
    async for event in finished_events(stream):
        message = event.message
        try:
            await handle(rt, message.key, message.value, message.partition, message.offset)
        except Exception as exc:
            log.exception("unexpected failure on %s", message.tp)
            await reject_failure(rt, message, exc)
        note_applied(rt, message.topic, message.partition, message.offset)


def _more_waiting(stream: Any) -> bool:
    """The stream's buffer already holds its next event (no wait to read it)."""
    queue = getattr(getattr(stream, "channel", None), "queue", None)
    return queue is not None and not queue.empty()


async def finished_batches(stream: Any, max_events: int = MAX_BATCH) -> AsyncIterator[list[Any]]:
    """Lists of ``stream``'s events, each acknowledged once the caller's body returns.

    A batch ends when ``max_events`` are in it or the buffer has no next event ready.
    A body that is cancelled never returns here: none of its batch is acknowledged.
    """
    manual = stream.noack()
    batch: list[Any] = []
    async for event in manual.events():
        batch.append(event)
        if len(batch) < max_events and _more_waiting(manual):
            continue
        token = HANDLING.begin()
        try:
            yield batch
        finally:
            HANDLING.end(token)
        for done in batch:
            done.ack()
        batch = []


async def handle_batches(rt: Runtime, stream: Any, handle: BatchHandler) -> None:
    """Each batch handled, no exception escaping.

    The handler accounts for every event itself (processed or rejected, each failure
    that event's own rejection), so a failure that still escapes is only logged: its
    events were already counted, and rejecting them here would count them twice.
    """
    async for batch in finished_batches(stream):
        try:
            await handle(rt, batch)
        except Exception:
            log.exception("unexpected failure after handling a batch of %d", len(batch))
