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
And only once the table writes it made have landed (``streams/delivery/table_writes.py``): a
committed offset implies the state it produced is on the changelog.

:func:`finished_batches` does the same for a batch: the events already waiting in the
stream's buffer are handed over together (never waiting for more, so an idle stream
adds no latency), and all of them are acknowledged after the whole batch's work and
its table writes are done. Faust's ``take_events`` acknowledges its buffer in a
``finally``, also on cancellation, so it is not used.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from streams.delivery import commit_guard, table_writes, tally
from streams.delivery.ack_guard import mark_handled, read_again_from
from streams.delivery.backlog import note_applied
from streams.delivery.commit_watchdog import HANDLING
from streams.delivery.emit import reject_failure
from streams.observability import instruments
from streams.runtime import Runtime

log = logging.getLogger(__name__)

_REPORTED: dict[Any, int] = {}  # the last hole reported per partition (one warning each)

Handler = Callable[[Runtime, bytes | None, bytes | None, int, int], Awaitable[None]]
BatchHandler = Callable[[Runtime, Sequence[Any]], Awaitable[None]]
MAX_BATCH = 1024
"""Events handed over at most at once: enough to share a batch's round trips to the
broker, small enough that its unacknowledged events and its hold on the lead states
stay short."""


def _admitted(event: Any) -> bool:
    """May ``event`` be handled now, in its partition's offset order? If not, it is
    acknowledged unhandled and its partition read again from the first dropped one."""
    message = event.message
    again_from = commit_guard.admit(getattr(message, "tp", None), getattr(message, "offset", 0))
    if again_from is None:
        return True
    # Past messages Faust dropped: not handled now (never out of order); read the
    # partition again from the first dropped one, this one included.
    if again_from != _REPORTED.get(message.tp):
        log.warning(
            "%s: offset %s arrived where %s was expected; reading again from there",
            message.tp,
            message.offset,
            again_from,
        )
        _REPORTED[message.tp] = again_from
    read_again_from(message.tp, again_from)
    event.ack()  # not marked handled: the ack guard forgets it
    return False


def _acknowledge(events: Sequence[Any], writes_landed: bool) -> None:
    for event in events:
        if writes_landed:
            mark_handled(event.message)
        event.ack()  # unhandled if a write failed: forgotten, so read again


async def finished_events(stream: Any) -> AsyncGenerator[Any, None]:
    """Each event of ``stream``, acknowledged once the caller's loop body returns and
    the table writes it made have landed.

    A body that is cancelled never returns here, so its event stays unacknowledged
    and its offset uncommitted (at-least-once; handlers are idempotent on event id).
    """
    async for event in stream.noack().events():
        if not _admitted(event):
            continue
        async with _handling([event]):
            yield event


@asynccontextmanager
async def _handling(events: list[Any]) -> AsyncIterator[None]:
    """Around one handling: watched while it runs, its table writes collected, and its
    events acknowledged only when the body returned and those writes landed.

    A body that raises (a cancellation) leaves the events unacknowledged.
    """
    token = HANDLING.begin()  # a handling that never ends stops commits: watched
    started = time.perf_counter()
    try:
        with table_writes.collected() as writes:
            yield
        landed = await table_writes.landed(writes)
    finally:
        HANDLING.end(token)
    _acknowledge(events, landed)
    _measure(events, time.perf_counter() - started)


def _measure(events: Sequence[Any], seconds: float) -> None:
    """Batch size and handling time for ``GET /metrics``; never fails a handling."""
    try:
        topic = str(getattr(events[0].message, "topic", "unknown"))
        instruments.BATCH_SIZE.labels(topic).observe(len(events))
        instruments.HANDLING_SECONDS.labels(topic).observe(seconds)
    except Exception:
        log.debug("could not measure a handling", exc_info=True)


def _more_waiting(stream: Any) -> bool:
    """The stream's buffer already holds its next event (no wait to read it)."""
    queue = getattr(getattr(stream, "channel", None), "queue", None)
    return queue is not None and not queue.empty()


async def finished_batches(
    stream: Any, max_events: int = MAX_BATCH
) -> AsyncGenerator[list[Any], None]:
    """Lists of ``stream``'s events, acknowledged once the caller's body returns and
    the batch's table writes have landed.

    A batch ends when ``max_events`` are in it or the buffer has no next event ready.
    A body that is cancelled never returns here: none of its batch is acknowledged.
    """
    manual = stream.noack()
    batch: list[Any] = []
    async for event in manual.events():
        if _admitted(event):
            batch.append(event)
        if not batch or (len(batch) < max_events and _more_waiting(manual)):
            continue
        async with _handling(batch):
            yield batch
        batch = []


async def handle_each(rt: Runtime, stream: Any, handle: Handler) -> None:
    async for event in finished_events(stream):
        message = event.message
        with tally.message():  # counted once, whatever fails (streams/delivery/tally.py)
            try:
                await handle(rt, message.key, message.value, message.partition, message.offset)
            except Exception as exc:
                log.exception("unexpected failure on %s", message.tp)
                await reject_failure(rt, message, exc)
        note_applied(rt, message.topic, message.partition, message.offset)


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
        for event in batch:
            message = event.message
            note_applied(rt, message.topic, message.partition, message.offset)
