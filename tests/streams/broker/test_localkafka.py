"""The local broker fails with a clear message when something it needs is missing."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from streams.broker.jars import COMPLETE_MARKER, KafkaSetupError
from streams.broker.local_broker import LocalKafka, format_arguments
from streams.broker.security import BrokerSecurity, ScramUser
from tests.support.ports import free_port

SECURITY = BrokerSecurity(
    broker=ScramUser("leadledger-broker", "b"),
    users=(ScramUser("leadledger-worker", "w"),),
    super_users=("leadledger-broker", "leadledger-worker"),
)


def broker(tmp_path: Path, jars: bool = True, port: int | None = None) -> LocalKafka:
    jars_dir = tmp_path / "jars"
    jars_dir.mkdir()
    if jars:
        (jars_dir / COMPLETE_MARKER).write_text("test")
    return LocalKafka(
        home=tmp_path / "home",
        port=port or free_port(),
        controller_port=free_port(),
        jars_dir=jars_dir,
    )


def test_missing_java_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KafkaSetupError, match="Java is not on PATH"):
        broker(tmp_path).start()


def test_absent_jars_are_named(tmp_path: Path) -> None:
    with pytest.raises(KafkaSetupError, match="jars are absent"):
        broker(tmp_path, jars=False).start()


def test_taken_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(KafkaSetupError, match=f"port {port} is already taken"):
            broker(tmp_path, port=port).start()


def test_status_of_a_stopped_broker(tmp_path: Path) -> None:
    status = broker(tmp_path).status()
    assert status["running"] is False
    assert status["pid"] is None


def test_a_cluster_id_starting_with_a_dash_formats(tmp_path: Path) -> None:
    """Kafka's own StorageTool takes an id that starts with ``-`` (one base64 id in 64)."""
    local = LocalKafka(
        home=tmp_path / "home", port=free_port(), controller_port=free_port(), security=SECURITY
    )
    local.data_dir.mkdir(parents=True)
    properties = tmp_path / "server.properties"
    properties.write_text(local.server_properties())
    dashed = "-" + local.cluster_id()[1:]
    arguments = format_arguments(dashed, properties, SECURITY)
    done = local._run_java("kafka.tools.StorageTool", *arguments)
    assert done.returncode == 0, done.stderr or done.stdout
    meta = (local.data_dir / "meta.properties").read_text()
    assert f"cluster.id={dashed}\n" in meta
