"""``leadledger deliver`` as a subprocess, as an operator runs it, for the live tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.kafka_auth import as_worker

LEADLEDGER = Path(sys.executable).parent / "leadledger"


@dataclass
class Deliverer:
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(LEADLEDGER), "deliver"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        return self.process

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until(self, done: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not within {timeout}s\n{self.log_tail()}")
            time.sleep(0.1)


@contextmanager
def deliverer(
    home: Path, bootstrap: str, namespace: str, policy: Path, **extra: str
) -> Iterator[Deliverer]:
    """A deliverer (not started) with its home, policy and a compressed retry schedule;
    stopped on exit, whatever happened."""
    env = as_worker(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        LEADLEDGER_NAMESPACE=namespace,
        LEADLEDGER_HOME=str(home),
        LEADLEDGER_POLICY=str(policy),
        LEADLEDGER_ALERT_RETRY_SCHEDULE="0,0.3,0.3,0.3",
        LEADLEDGER_ALERT_TIMEOUT_SECONDS="5",
        **extra,
    )
    home.mkdir(parents=True, exist_ok=True)
    running = Deliverer(env, home / "deliver.log")
    try:
        yield running
    finally:
        running.stop()
