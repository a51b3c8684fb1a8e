"""``leadledger worker`` (what ``make run`` / ``leadledger up`` start) stops on Ctrl-C
and on SIGTERM, with a broker and after the broker has gone away.

A real CLI process starts a real Faust worker; the test sends the signal the way a
terminal (Ctrl-C: the whole process group) or a supervisor (SIGTERM: the parent only)
does, and requires every process of the group to be gone within ``STOP_BOUND_S``. That
is a liveness bound (before the fix the worker never stopped), not a speed target.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from streams.broker.admin import create_topics
from streams.broker.jars import ensure_jars
from streams.broker.local_broker import LocalKafka
from streams.web.token_store import issue
from tests.support.kafka_auth import as_worker, kafka_config, operator_exported, secured_broker
from tests.support.ports import free_port

pytestmark = pytest.mark.integration
READY_TIMEOUT_S = 90.0
STOP_BOUND_S = 60.0
LEADLEDGER = str(Path(sys.executable).parent / "leadledger")


class CliWorker:
    def __init__(self, bootstrap: str, home: Path, namespace: str | None = None) -> None:
        # A namespace of its own, or the one a previous worker left (a restart).
        self.namespace = namespace = namespace or f"stop{uuid.uuid4().hex[:8]}"
        create_topics(kafka_config(bootstrap), namespace)
        self.port = free_port()
        self.log_path = home / "worker.log"
        _, token = issue(home / "tokens.json", "operator")  # LEADLEDGER_HOME's token file
        self.auth = {"Authorization": f"Bearer {token}"}
        env = as_worker(os.environ)
        env.update(
            KAFKA_BOOTSTRAP_SERVERS=bootstrap,
            LEADLEDGER_NAMESPACE=namespace,
            LEADLEDGER_WEB_PORT=str(self.port),
            LEADLEDGER_HOME=str(home),
        )
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [LEADLEDGER, "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group, as in a terminal
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(
        self, what: str, ready: Callable[[], bool], timeout: float = READY_TIMEOUT_S
    ) -> None:
        deadline = time.monotonic() + timeout
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker: no {what}:\n{self.log()[-3000:]}")
            time.sleep(0.5)

    def serving(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/stats"
            stats = httpx.get(url, headers=self.auth, timeout=3).json()
        except (httpx.HTTPError, ValueError):
            return False
        return bool(stats.get("assigned_partitions"))

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def stops_within(self, bound: float) -> bool:
        deadline = time.monotonic() + bound
        while self.process.poll() is None or self.group_alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True

    def kill(self) -> None:
        if self.group_alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalKafka]:
    """A broker this test may stop: the session's broker serves the other tests."""
    broker = secured_broker(tmp_path / "own", free_port(), free_port(), ensure_jars())
    broker.start()
    try:
        with operator_exported():  # this broker's operator, whatever the session's
            yield broker
    finally:
        broker.stop()


def test_ctrl_c_stops_the_worker_cleanly(kafka_bootstrap: str, tmp_path: Path) -> None:
    worker = CliWorker(kafka_bootstrap, tmp_path)
    try:
        worker.wait_until("web answer with partitions", worker.serving)
        os.killpg(worker.process.pid, signal.SIGINT)  # what Ctrl-C does
        assert worker.stops_within(STOP_BOUND_S), worker.log()[-3000:]
        log = worker.log()
        assert "leadledger: stopping the worker (SIGINT)" in log
        assert "killing" not in log  # a clean stop: nobody was killed
        assert "did not finish" not in log
        assert "leadledger: worker stopped (exit status 0)" in log
        assert worker.process.returncode == 0
    finally:
        worker.kill()


def test_sigterm_stops_the_worker_after_the_broker_is_gone(
    own_broker: LocalKafka, tmp_path: Path
) -> None:
    worker = CliWorker(f"127.0.0.1:{own_broker.port}", tmp_path)
    try:
        worker.wait_until("web answer with partitions", worker.serving)
        own_broker.stop()
        # The hang needs a fetch in its retry back-off: wait until the worker's client
        # says the broker is gone (which request notices first, a fetch of messages or
        # offsets or a new connection, is a matter of timing; under load the first
        # "Failed fetch" line came after the wait once).
        gone = ("Failed fetch", "Unable connect to node", "could not be established")
        worker.wait_until("broker gone", lambda: any(sign in worker.log() for sign in gone))
        os.kill(worker.process.pid, signal.SIGTERM)  # the parent only, as a supervisor does
        assert worker.stops_within(STOP_BOUND_S), worker.log()[-3000:]
        log = worker.log()
        assert "leadledger: stopping the worker (SIGTERM)" in log
        # The worker stopped by itself: cleanly when no fetch was caught mid-retry, else
        # by its own shutdown bound; the parent never had to kill it.
        assert "killing" not in log
        if worker.process.returncode == 3:
            assert "shutdown did not finish within" in log
        else:
            assert worker.process.returncode == 0, log[-3000:]
    finally:
        worker.kill()
