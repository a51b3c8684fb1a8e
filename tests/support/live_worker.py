"""A real worker process for integration tests: ``python -m faust -A streams.app worker``.

Started once per test session against the session's broker and namespace, with its own
web port; its log is printed when a test using it fails to find what it expected.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from streams.broker.admin import create_topics
from streams.web.token_store import issue
from tests.support.kafka_auth import as_worker, kafka_config
from tests.support.ports import free_port

READY_TIMEOUT_S = 90.0


@dataclass
class LiveWorker:
    base_url: str
    namespace: str
    bootstrap: str
    log_path: Path
    process: subprocess.Popen[bytes]
    tokens_path: Path  # the worker's token file: tests may issue partner tokens into it
    operator_token: str

    @property
    def home(self) -> Path:
        """The worker's LEADLEDGER_HOME: its keyring, which ``replay``/``export`` need."""
        return self.log_path.parent

    def get(self, path: str) -> httpx.Response:
        """As the operator: every view."""
        return self.get_as(path, self.operator_token)

    def get_as(self, path: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.get(f"{self.base_url}{path}", headers=headers, timeout=5.0)

    def stats(self) -> dict[str, Any]:
        body: dict[str, Any] = self.get("/stats").json()
        return body

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_for(self, path: str, status: int = 200, timeout: float = 30.0) -> httpx.Response:
        """Poll ``path`` until it answers ``status``; fail with the worker's log tail."""
        deadline = time.monotonic() + timeout
        last: httpx.Response | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"worker exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                last = self.get(path)
                if last.status_code == status:
                    return last
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        shown = f"{last.status_code} {last.text[:300]}" if last is not None else "no answer"
        pytest.fail(
            f"{path} did not answer {status} in {timeout}s (last: {shown})\n{self.log_tail()}"
        )

    def wait_json(
        self,
        path: str,
        done: Callable[[Any], bool],
        timeout: float = 60.0,
        explain: Callable[[], str] | None = None,
    ) -> Any:
        """Poll ``path`` until its JSON body satisfies ``done``; fail with the last body,
        what ``explain`` adds (e.g. the run's refusals) and the worker's log tail."""
        deadline = time.monotonic() + timeout
        body: Any = None
        while time.monotonic() < deadline:
            answer = self.get(path)
            if answer.status_code == 200:
                body = answer.json()
                if done(body):
                    return body
            time.sleep(0.3)
        extra = f"\n{explain()}" if explain is not None else ""
        pytest.fail(f"{path} never got there (last: {body}){extra}\n{self.log_tail()}")


def _ready(worker: LiveWorker) -> bool:
    """Ready when the web server answers and the leads partitions are assigned."""
    try:
        stats = worker.stats()
    except (httpx.HTTPError, ValueError):
        return False
    return bool(stats.get("assigned_partitions"))


@pytest.fixture(scope="session")
def live_worker(
    kafka_bootstrap: str, test_namespace: str, created_topics: list[str], tmp_path_factory: Any
) -> Iterator[LiveWorker]:
    with started_worker(kafka_bootstrap, test_namespace, tmp_path_factory.mktemp("worker")) as w:
        yield w


@contextmanager
def started_worker(kafka_bootstrap: str, namespace: str, directory: Path) -> Iterator[LiveWorker]:
    """A worker on ``namespace`` (its topics created), home and log in ``directory``,
    stopped when the block ends. For a test whose data must not meet the session's."""
    port = free_port()
    log_path = directory / "worker.log"
    tokens_path = log_path.parent / "tokens.json"
    _, operator_token = issue(tokens_path, "operator", label="tests")
    env = as_worker(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap,
        LEADLEDGER_NAMESPACE=namespace,
        LEADLEDGER_WEB_PORT=str(port),
        LEADLEDGER_HOME=str(log_path.parent),
        LEADLEDGER_TOKENS=str(tokens_path),
    )
    command = [sys.executable, "-m", "faust", "-A", "streams.app", "worker", "-l", "info"]
    command += ["--web-host", "127.0.0.1", "--web-port", str(port)]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    worker = LiveWorker(
        f"http://127.0.0.1:{port}",
        namespace,
        kafka_bootstrap,
        log_path,
        process,
        tokens_path,
        operator_token,
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _ready(worker):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker did not become ready:\n{worker.log_tail()}")
            time.sleep(0.5)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def own_worker(kafka_bootstrap: str, tmp_path_factory: Any) -> Iterator[LiveWorker]:
    """A worker and namespace for one test module alone: for a test that counts what
    the worker did (nothing another module left in flight may move its figures), or
    whose data must not meet the session worker's."""
    namespace = f"own{uuid.uuid4().hex[:8]}"
    create_topics(kafka_config(kafka_bootstrap), namespace)
    with started_worker(kafka_bootstrap, namespace, tmp_path_factory.mktemp(namespace)) as worker:
        yield worker
