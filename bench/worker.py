"""A real leadledger worker process for the bench: started, watched, always stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.broker import free_port
from streams.web.token_store import issue

ROOT = Path(__file__).resolve().parent.parent  # the tree a worker runs from by default


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    operator_token: str

    def get(self, path: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.operator_token}"}
        return httpx.get(f"{self.base_url}{path}", headers=auth, timeout=10.0)

    def counters(self) -> dict[str, int]:
        body: dict[str, Any] = self.get("/stats").json()
        return dict(body["counters"])

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            tail = self.log_path.read_text(errors="replace").splitlines()[-30:]
            raise RuntimeError("the worker exited:\n" + "\n".join(tail))

    def wait(self, done: Any, timeout: float, what: str, every: float = 0.05) -> float:
        """Poll until ``done()``; returns the monotonic time it first held."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                if done():
                    return time.monotonic()
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker: {what} did not happen in {timeout:.0f}s")
            time.sleep(every)


@contextlib.contextmanager
def running_worker(
    bootstrap: str,
    namespace: str,
    workdir: Path,
    store: str = "memory://",
    code: Path = ROOT,
) -> Iterator[Worker]:
    """``python -m faust -A streams.app worker`` in its own process group and work dir.

    It runs with ``code`` as its working directory, so the ``streams`` package it
    imports is that tree's (``bench.live_only`` compares checkouts of commits). The
    process group is killed on the way out, also on an error or Ctrl-C.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    tokens = workdir / "tokens.json"
    _, operator_token = issue(tokens, "operator", label="bench")
    env = dict(os.environ)
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        LEADLEDGER_NAMESPACE=namespace,
        LEADLEDGER_WEB_PORT=str(port),
        LEADLEDGER_HOME=str(workdir),
        LEADLEDGER_STORE=store,
        LEADLEDGER_TOKENS=str(tokens),
        # One keyring per namespace, as every worker of a deployment shares one.
        LEADLEDGER_KEYRING=str(workdir.parent / f"{namespace}-keyring.json"),
    )
    command = [sys.executable, "-m", "faust", "-A", "streams.app", "--datadir", str(workdir)]
    command += [
        "worker",
        "-l",
        os.environ.get("BENCH_WORKER_LOG", "warn"),
        "--web-host",
        "127.0.0.1",
        "--web-port",
        str(port),
    ]
    log_path = workdir / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=code,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    worker = Worker(process, f"http://127.0.0.1:{port}", log_path, operator_token)
    try:
        worker.wait(lambda: worker.get("/stats").json()["assigned_partitions"], 120, "start")
        yield worker
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
