"""Worker processes the harness starts, kills and restarts, and their clean-up.

Every process started here is registered with a :class:`Reaper`; the harness stops
all of them on exit, on failure and on Ctrl-C, so no broker or worker outlives a run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from streams.delivery.commit_watchdog import EXIT_COMMIT_STALLED
from streams.web.token_store import issue
from tests.support.kafka_auth import as_worker
from tests.support.ports import free_port

Stoppable = Callable[[], None]


@dataclass
class Reaper:
    """Stops what was started, last first; safe to call twice."""

    stops: list[Stoppable] = field(default_factory=list)

    def add(self, stop: Stoppable) -> None:
        self.stops.append(stop)

    def stop_all(self) -> None:
        while self.stops:
            stop = self.stops.pop()
            try:
                stop()
            except Exception as exc:  # clean-up goes on whatever one stop did
                print(f"clean-up: {exc!r}", file=sys.stderr)


class HarnessError(RuntimeError):
    """A wait gave up: no progress for too long, or a process died."""


def wait_until(
    what: str,
    ready: Callable[[], bool],
    progress: Callable[[], object] | None = None,
    stall_s: float = 120.0,
    poll_s: float = 0.2,
) -> float:
    """Poll ``ready`` until true; give up only after ``stall_s`` without progress.

    ``progress`` returns any value that changes while work is being done (e.g. an
    offset); on a slow machine the wait then lasts as long as work goes on.
    """
    start = last_change = time.monotonic()
    seen = progress() if progress else None
    while not ready():
        now = time.monotonic()
        if progress is not None and (current := progress()) != seen:
            seen, last_change = current, now
        if now - last_change > stall_s:
            raise HarnessError(f"{what}: no progress for {stall_s:.0f} s")
        time.sleep(poll_s)
    return time.monotonic() - start


@dataclass
class Worker:
    """One ``python -m faust -A streams.app worker`` process."""

    name: str
    bootstrap: str
    namespace: str
    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Restarts after the commit watchdog's exit (streams/delivery/commit_watchdog.py), as a
    # production supervisor would; reported, so a run shows when the watchdog fired.
    watchdog_restarts: int = 0
    _supervisor: threading.Thread | None = None
    operator_token: str = ""  # issued at the first start into <home>/<name>-tokens.json

    @property
    def log_path(self) -> Path:
        return self.home / f"{self.name}.log"

    def start(self) -> None:
        self.port = free_port()
        self.starts += 1
        work_dir = self.home / f"{self.name}-{self.starts}"  # Faust's data dir lives here
        work_dir.mkdir(parents=True, exist_ok=True)
        tokens = self.home / f"{self.name}-tokens.json"
        if not self.operator_token:
            _, self.operator_token = issue(tokens, "operator", label="fault harness")
        env = as_worker(os.environ)  # the worker's own identity (tests/support/kafka_auth.py)
        env.update(
            KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            LEADLEDGER_NAMESPACE=self.namespace,
            LEADLEDGER_WEB_PORT=str(self.port),
            LEADLEDGER_HOME=str(work_dir),
            LEADLEDGER_TOKENS=str(tokens),
            # Every worker of the namespace, at every start, shares one keyring (a work
            # dir per start would leave the keys wrapped at the last start unopenable).
            LEADLEDGER_KEYRING=str(self.home / f"{self.namespace}-keyring.json"),
            PYTHONPATH=str(Path.cwd()),
            **self.env_extra,
        )
        command = [sys.executable, "-m", "faust", "-A", "streams.app", "worker", "-l", "info"]
        command += ["--web-host", "127.0.0.1", "--web-port", str(self.port)]
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=work_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._supervise, daemon=True)
            self._supervisor.start()

    def _supervise(self) -> None:
        """Start the worker again when the commit watchdog made it exit."""
        while True:
            time.sleep(0.5)
            process = self.process
            if process is not None and process.poll() == EXIT_COMMIT_STALLED:
                self.watchdog_restarts += 1
                self.start()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self, timeout: float = 60.0) -> None:
        """Graceful leave (SIGTERM), hard kill if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()

    def stats(self) -> dict[str, Any] | None:
        if not self.alive():
            return None
        try:
            body: dict[str, Any] = httpx.get(
                f"http://127.0.0.1:{self.port}/stats", headers=self._auth(), timeout=5.0
            ).json()
        except (httpx.HTTPError, ValueError):
            return None
        return body

    def partitions(self) -> list[int]:
        stats = self.stats()
        return list(stats["assigned_partitions"]) if stats else []

    def received(self) -> int:
        stats = self.stats()
        return int(stats["counters"]["received"]) if stats else 0

    def get(self, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.port}{path}", headers=self._auth(), timeout=10.0)

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.operator_token}"}

    def log_lines(self) -> list[str]:
        if not self.log_path.exists():
            return []
        return self.log_path.read_text(errors="replace").splitlines()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_lines()[-lines:])

    def wait_ready(self, stall_s: float = 180.0) -> float:
        """Until its web server answers with assigned partitions; the process must live."""

        def ready() -> bool:
            if not self.alive():
                raise HarnessError(f"{self.name} exited:\n{self.log_tail()}")
            return bool(self.partitions())

        return wait_until(f"{self.name} ready", ready, lambda: len(self.log_lines()), stall_s)
