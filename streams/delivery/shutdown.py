"""A bound on the worker's shutdown: once stopping has begun, the process ends within
``STOP_GRACE_SECONDS`` even when a library's stop never returns.

Why: with the broker unreachable, aiokafka's ``Fetcher.close()`` re-raises the
``CancelledError`` of a fetch task cancelled in its retry back-off; Faust's consumer
thread (a mode ``ServiceThread``) then never reports that it has shut down, the main
loop waits for it for ever, and mode ignores every later SIGINT/SIGTERM (it schedules
one shutdown only). Everything the worker keeps is in Kafka (changelogs, committed
offsets), so ending the process after the grace period loses nothing that a crash
would not; it is said plainly on stderr.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0
EXIT_STOP_TIMED_OUT = 3


def arm(
    grace: float = STOP_GRACE_SECONDS, exit_process: Callable[[int], Any] = os._exit
) -> threading.Thread:
    """Start a daemon thread that ends the process if it is still alive after ``grace``
    (a process that finishes first ends its daemon threads with it)."""

    def watchdog() -> None:
        time.sleep(grace)
        message = (
            f"leadledger worker: shutdown did not finish within {grace:.0f}s "
            "(is the broker unreachable?); exiting now"
        )
        log.error(message)
        print(message, file=sys.stderr, flush=True)
        exit_process(EXIT_STOP_TIMED_OUT)

    thread = threading.Thread(target=watchdog, name="leadledger-stop-watchdog", daemon=True)
    thread.start()
    return thread


def install(app: Any) -> None:
    """Arm the watchdog when the Faust app begins to stop (signal or otherwise)."""

    async def bound_the_shutdown(sender: Any, **_: Any) -> None:
        arm()

    app.on_before_shutdown.connect(bound_the_shutdown)
