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
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from streams import commit_guard
from streams.ack_guard import mark_handled, read_again_from
from streams.backlog import note_applied
from streams.commit_watchdog import HANDLING
from streams.emit import reject_failure
from streams.runtime import Runtime

log = logging.getLogger(__name__)

_REPORTED: dict[Any, int] = {}  # the last hole reported per partition (one warning each)

Handler = Callable[[Runtime, bytes | None, bytes | None, int, int], Awaitable[None]]


async def finished_events(stream: Any) -> AsyncIterator[Any]:
    """Each event of ``stream``, acknowledged once the caller's loop body returns.

    A body that is cancelled never returns here, so its event stays unacknowledged
    and its offset uncommitted (at-least-once; handlers are idempotent on event id).
    """
    async for event in stream.noack().events():
        message = event.message
        again_from = commit_guard.admit(getattr(message, "tp", None), getattr(message, "offset", 0))
        if again_from is not None:
            # Past messages Faust dropped: not handled now (never out of order); read
            # the partition again from the first dropped one, this one included.
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
            continue
        token = HANDLING.begin()  # a handling that never ends stops commits: watched
        try:
            yield event
        finally:
            HANDLING.end(token)
        mark_handled(event.message)
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
