"""Session fixtures: a real broker and a namespace of this test run's own.

The broker the session starts authenticates (SASL/SCRAM, the StandardAuthorizer); the
session's clients connect as the operator through the environment
(``tests/support/kafka_auth.py``), its worker as the worker.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.broker.admin import create_topics
from streams.broker.jars import ensure_jars
from tests.support.kafka_auth import kafka_config, operator_exported, secured_broker
from tests.support.ports import free_port

pytest_plugins = ["tests.support.live_worker", "tests.support.avro_java"]


def _docker_answers() -> bool:
    """True when a Docker engine answers /_ping on its local socket.

    Asked with a plain socket: the docker client leaks its socket when no engine runs.
    """
    path = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")
    if not Path(path).exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(path)
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b"OK" in sock.recv(1024)
        except OSError:
            return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS (with KAFKA_SASL_* when it authenticates), else
    testcontainers' plain Kafka, else our own local broker, with authentication on."""
    if given := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield given
    elif _docker_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            yield container.get_bootstrap_server()
    else:
        port = free_port()
        home = Path(tmp_path_factory.mktemp("leadledger-home"))
        broker = secured_broker(home, port, free_port(), ensure_jars())
        broker.start()
        try:
            with operator_exported():
                yield f"127.0.0.1:{port}"
        finally:
            broker.stop()


@pytest.fixture(scope="session")
def test_namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def created_topics(kafka_bootstrap: str, test_namespace: str) -> list[str]:
    return create_topics(kafka_config(kafka_bootstrap), test_namespace)
