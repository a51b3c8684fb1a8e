"""The commit watchdog: a worker whose offset commits stop exits, to be restarted.

Faust 0.15 on aiokafka is reported to stop committing in some situations while it
goes on consuming and processing: after a broker connection reset
(robinhood/faust#736), after a partition returns to a worker (faust-streaming#596,
#681). Nothing is lost then, as every uncommitted event is redelivered and
deduplicated, but the redelivery after the next restart grows without bound, and
nothing says so. The fault harness has not caught the worker at it (the stall it once
reported after a broker's kill was its own observer's, docs/reliability.md); this
guards the worker anyway, at the cost of a timer.

Four ways for commits to stop are watched:

- a commit that never returns (a Faust sensor notes when each starts and completes);
- a message whose handling never ends, an agent awaiting a send that never returns:
  its offset is never acknowledged, so no later offset of its partition is committed
  (``finished_events`` notes when each handling starts and ends);
- a commit taken for done that the broker never got: Faust records offsets as
  committed even when aiokafka's commit failed (its ``CommitFailedError`` "already
  rebalanced" is swallowed) and never sends them again. :class:`CommittedCheck`
  compares what Faust believes committed with what the broker has, through an admin
  client of its own;
- acknowledged offsets that never become committable: Faust commits a partition only
  up to its first offset that was never acknowledged (a gap), so one offset lost
  between fetcher and agent holds the partition's commits back for good.
  :class:`AckedWaiting` notes since when a partition has acknowledged offsets waiting
  while its committed offset does not move.

A timer checks every few seconds; when one of them has lasted ``commit_stall_seconds``
(60 s by default; a healthy commit during a broker failover took up to 11 s here), the
worker logs what it found and its pending asyncio tasks, so the cause can be studied,
and exits at once with :data:`EXIT_COMMIT_STALLED`. It does not stop gracefully: a
graceful stop would commit, and committing is what is broken. Whatever supervises the
worker restarts it (``leadledger up`` does, and so does the fault harness; under
systemd or Kubernetes, restart on failure).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faust
from aiokafka.admin import AIOKafkaAdminClient

from streams.observability import exits, instruments

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


class CommittedCheck:
    """Since when the broker's committed offset of some partition trails Faust's belief."""

    def __init__(self) -> None:
        self.behind_since: float | None = None

    def observe(
        self, believed: dict[tuple[str, int], int], broker: dict[tuple[str, int], int], now: float
    ) -> None:
        behind = any(broker.get(tp, -1) < offset for tp, offset in believed.items())
        if not behind:
            self.behind_since = None
        elif self.behind_since is None:
            self.behind_since = now

    def running_for(self, now: float) -> float:
        return 0.0 if self.behind_since is None else now - self.behind_since


class AckedWaiting:
    """Since when acknowledged offsets wait while a partition's committed offset stands."""

    def __init__(self) -> None:
        self._since: dict[tuple[str, int], tuple[int | None, float]] = {}
        self.detail = ""

    def observe(
        self,
        waiting: dict[tuple[str, int], list[int]],
        committed: dict[tuple[str, int], int | None],
        now: float,
    ) -> None:
        since: dict[tuple[str, int], tuple[int | None, float]] = {}
        for tp, offsets in waiting.items():
            if not offsets:
                continue
            before = self._since.get(tp)
            moved = before is None or before[0] != committed.get(tp)
            since[tp] = (committed.get(tp), now if moved or before is None else before[1])
        self._since = since
        self.detail = "; ".join(
            f"{topic}[{part}] committed {committed.get((topic, part))}, "
            f"{len(waiting[(topic, part)])} acked from {min(waiting[(topic, part)])}"
            for topic, part in sorted(since)
        )

    def running_for(self, now: float) -> float:
        return max((now - at for _, at in self._since.values()), default=0.0)


Watch = CommitWatch | HandlingWatch | CommittedCheck | AckedWaiting


def stalled(watch: Watch, now: float, limit_seconds: float) -> bool:
    return watch.running_for(now) > limit_seconds


def install(
    app: Any,
    limit_seconds: float,
    kafka: Mapping[str, Any],
    exits_file: Path | None = None,
    namespace: str = "",
) -> CommitWatch:
    """``kafka``: aiokafka's connection settings (streams.identity.clients);
    ``exits_file``: where an exit is counted for the next process to report
    (``streams/observability/exits.py``)."""
    watch = CommitWatch()
    app.sensors.add(watch)
    committed = CommittedCheck()
    acked = AckedWaiting()
    admin: AIOKafkaAdminClient | None = None

    @app.timer(interval=CHECK_EVERY_SECONDS * 2)  # type: ignore[untyped-decorator]
    async def committed_offsets_check() -> None:
        nonlocal admin
        try:
            if admin is None:
                admin = AIOKafkaAdminClient(**kafka)
                await admin.start()
            believed = _believed_committed(app.consumer)
            if not believed:
                committed.observe({}, {}, time.monotonic())
                return
            found = await admin.list_consumer_group_offsets(app.conf.id)
            broker = {(tp.topic, tp.partition): meta.offset for tp, meta in found.items()}
            committed.observe(believed, broker, time.monotonic())
        except Exception as exc:  # no answer is no evidence either way
            log.debug("committed-offset check skipped: %r", exc)

    @app.timer(interval=CHECK_EVERY_SECONDS)  # type: ignore[untyped-decorator]
    async def commit_watchdog() -> None:
        now = time.monotonic()
        acked.observe(*_acked_and_committed(app.consumer), now)
        watched: tuple[tuple[str, str, Watch], ...] = (
            ("commit", "an offset commit", watch),
            ("handling", "a message's handling", HANDLING),
            ("broker_behind", "a commit Faust took for done and the broker never got", committed),
            ("acked_waiting", f"acknowledged offsets not committed ({acked.detail})", acked),
        )
        for label, _, running in watched:  # for GET /metrics, before any exit
            instruments.COMMIT_STALL_SECONDS.labels(label).set(running.running_for(now))
        for _, what, running in watched:
            if not stalled(running, now, limit_seconds):
                continue
            log.error(
                "%s, for %.0f s (limit %.0f s): exiting with status %d to be "
                "restarted; uncommitted events will be redelivered. Pending tasks:\n%s",
                what,
                running.running_for(now),
                limit_seconds,
                EXIT_COMMIT_STALLED,
                pending_tasks(),
            )
            if exits_file is not None:  # counted for the next process's GET /metrics
                exits.note_exit(exits_file, namespace, what, datetime.now(UTC))
            for handler in logging.getLogger().handlers:
                handler.flush()
            sys.stderr.flush()
            os._exit(EXIT_COMMIT_STALLED)

    return watch


def _believed_committed(consumer: Any) -> dict[tuple[str, int], int]:
    """What Faust believes it committed, for the partitions it holds now.

    Faust keeps no public view of it: ``_committed_offset`` is read, never written.
    """
    assigned = {(tp.topic, tp.partition) for tp in consumer.assignment()}
    return {
        (tp.topic, tp.partition): offset
        for tp, offset in dict(consumer._committed_offset).items()
        if offset is not None and (tp.topic, tp.partition) in assigned
    }


def _acked_and_committed(
    consumer: Any,
) -> tuple[dict[tuple[str, int], list[int]], dict[tuple[str, int], int | None]]:
    """Faust's acknowledged-but-uncommitted offsets and committed offsets, by partition.

    Private state of Faust's consumer (``_acked``, ``_committed_offset``), only read.
    """
    waiting = {(tp.topic, tp.partition): list(v) for tp, v in dict(consumer._acked).items()}
    committed = {(tp.topic, tp.partition): v for tp, v in dict(consumer._committed_offset).items()}
    return waiting, committed


def pending_tasks(frames: int = 6) -> str:
    """Each pending task of this event loop with the innermost frames of its stack."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        out.write(f"--- {task.get_name()}: {task.get_coro()!r}\n")
        task.print_stack(limit=frames, file=out)
    return out.getvalue()
