"""The worker's event loop: uvloop, unless ``LEADLEDGER_EVENT_LOOP=asyncio``.

Every message the worker handles costs several turns of the event loop (a future per
send, its callbacks, the socket writes of aiokafka's requests, the hand-over from
Faust's consumer thread). In the profile of issue 19 the loop's own Python code
(``Handle._run``, ``call_soon``, ``create_future``, ``gather``) was ~12 % of the
worker's CPU; uvloop runs it in C (docs/performance.md, *Live throughput*).

:func:`install` sets the policy; it must run before anything creates a loop, so
``streams.app`` calls it first thing (Faust creates the loop when the worker starts).
"""

from __future__ import annotations

import asyncio
import logging
import os

log = logging.getLogger(__name__)
ENV = "LEADLEDGER_EVENT_LOOP"


def install(environ: dict[str, str] | None = None) -> str:
    """Use uvloop for the loops created from now on; returns the loop chosen."""
    wanted = (os.environ if environ is None else environ).get(ENV, "uvloop")
    if wanted == "asyncio":
        return "asyncio"
    if wanted != "uvloop":
        raise ValueError(f"{ENV} must be uvloop or asyncio, not {wanted!r}")
    try:
        import uvloop  # noqa: PLC0415 - optional on platforms without it
    except ImportError:  # a platform without it (Windows): the stdlib loop, said once
        log.warning("uvloop is not installed; the worker runs on asyncio's own loop")
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"
