"""The loop every input agent runs: each message handled, no exception escaping.

Faust acknowledges a message even when its agent raised, so a failure the handler did
not turn into a rejection becomes one here (``reject_failure``), and the message is
then noted as applied, so the timer's backlog check does not hold its partition's
clocks for it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from streams.backlog import note_applied
from streams.emit import reject_failure
from streams.runtime import Runtime

log = logging.getLogger(__name__)

Handler = Callable[[Runtime, bytes | None, bytes | None, int, int], Awaitable[None]]


async def handle_each(rt: Runtime, stream: Any, handle: Handler) -> None:
    async for event in stream.events():
        message = event.message
        try:
            await handle(rt, message.key, message.value, message.partition, message.offset)
        except Exception as exc:
            log.exception("unexpected failure on %s", message.tp)
            await reject_failure(rt, message, exc)
        note_applied(rt, message.topic, message.partition, message.offset)
