"""The commit watchdog: a worker whose offset commits hang exits, to be restarted.

After a broker's hard kill, Faust 0.15 on aiokafka can leave one offset commit
waiting forever: the worker still consumes and processes, but commits nothing again
until it restarts (seen by the fault harness's broker scenario in about one run in
four, and reported upstream as robinhood/faust#736). Nothing is lost, as every
uncommitted event is redelivered and deduplicated, but nothing is committed either,
and the redelivery after the next restart grows without bound.

Two things stop commits for good, and both are watched. A commit itself can hang (a
Faust sensor notes when each starts and completes), or a message's handling can hang,
an agent awaiting a send that never returns: its offset is then never acknowledged, so
no later offset of its partition can be committed (``finished_events`` notes when each
handling starts and ends). A timer checks every few seconds, and when either has been
running for ``commit_stall_seconds`` (25 s by default; a healthy commit during a broker
failover took up to 11 s here) the worker logs its pending asyncio tasks, so the hang
can be studied, and exits at once with :data:`EXIT_COMMIT_STALLED`. It does not stop
gracefully: a graceful stop would commit, and the commit is what hangs. Whatever
supervises the worker restarts it (``leadledger up`` does, and so does the fault
harness; under systemd or Kubernetes, restart on failure).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import time
from typing import Any

import faust

log = logging.getLogger(__name__)

EXIT_COMMIT_STALLED = 75  # EX_TEMPFAIL: try again (restart), nothing is wrong with the input
CHECK_EVERY_SECONDS = 5.0


class CommitWatch(faust.Sensor):
    """When the commit now running (if any) started, on the monotonic clock."""

    def __init__(self) -> None:
        super().__init__()
        self.started_at: float | None = None

    def on_commit_initiated(self, consumer: Any) -> Any:
        self.started_at = time.monotonic()
        return None

    def on_commit_completed(self, consumer: Any, state: Any) -> None:
        self.started_at = None

    def running_for(self, now: float) -> float:
        return 0.0 if self.started_at is None else now - self.started_at


class HandlingWatch:
    """When each message now being handled started, on the monotonic clock."""

    def __init__(self) -> None:
        self._started: dict[int, float] = {}
        self._next = 0

    def begin(self) -> int:
        self._next += 1
        self._started[self._next] = time.monotonic()
        return self._next

    def end(self, token: int) -> None:
        self._started.pop(token, None)

    def running_for(self, now: float) -> float:
        return max((now - at for at in self._started.values()), default=0.0)


HANDLING = HandlingWatch()
"""The worker's one handling watch (a worker is a process): every agent loop reports."""


def stalled(watch: CommitWatch | HandlingWatch, now: float, limit_seconds: float) -> bool:
    return watch.running_for(now) > limit_seconds


def install(app: Any, limit_seconds: float) -> CommitWatch:
    watch = CommitWatch()
    app.sensors.add(watch)

    @app.timer(interval=CHECK_EVERY_SECONDS)  # type: ignore[untyped-decorator]
    async def commit_watchdog() -> None:
        now = time.monotonic()
        for what, running in (("an offset commit", watch), ("a message's handling", HANDLING)):
            if not stalled(running, now, limit_seconds):
                continue
            log.error(
                "%s running for %.0f s (limit %.0f s): exiting with status %d to be "
                "restarted; uncommitted events will be redelivered. Pending tasks:\n%s",
                what,
                running.running_for(now),
                limit_seconds,
                EXIT_COMMIT_STALLED,
                pending_tasks(),
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
            sys.stderr.flush()
            os._exit(EXIT_COMMIT_STALLED)

    return watch


def pending_tasks(frames: int = 6) -> str:
    """Each pending task of this event loop with the innermost frames of its stack."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()}: {task.get_coro()!r}\n")
        task.print_stack(limit=frames, file=out)
    return out.getvalue()
