"""`leadledger partners` before it reaches a broker: what it refuses, and the settings it
prints (the broker's side: tests/integration/test_partners_on_the_bus.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.cli.main import cli
from streams.cli.partners import client_settings
from streams.identity import registry
from streams.identity.clients import KafkaAccess
from streams.identity.provisioning import Grant


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    # A broker nobody listens on: every test here must be decided before it is asked.
    return {"LEADLEDGER_HOME": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}


@pytest.mark.parametrize(
    ("partner_id", "says"),
    [("Acme", "lower-case"), ("leadledger-worker", "reserved"), ("a" * 65, "1-64")],
)
def test_an_id_that_cannot_be_a_user_is_refused(
    env: dict[str, str], partner_id: str, says: str
) -> None:
    done = CliRunner().invoke(cli, ["partners", "add", partner_id], env=env)
    assert done.exit_code == 1
    assert says in done.stderr


def test_a_registered_partner_is_not_added_twice(env: dict[str, str], tmp_path: Path) -> None:
    registry.add(registry.registry_path(tmp_path), "acme", "external")
    done = CliRunner().invoke(cli, ["partners", "add", "acme"], env=env)
    assert done.exit_code == 1
    assert "already on the bus" in done.stderr
    assert "leadledger partners rotate acme" in done.stderr


@pytest.mark.parametrize("command", ["rotate", "remove"])
def test_rotate_and_remove_need_a_registered_partner(env: dict[str, str], command: str) -> None:
    done = CliRunner().invoke(cli, ["partners", command, "nobody"], env=env)
    assert done.exit_code == 1
    assert "no partner 'nobody' is registered" in done.stderr


def test_list_shows_each_partner_with_its_topics(env: dict[str, str], tmp_path: Path) -> None:
    path = registry.registry_path(tmp_path)
    registry.add(path, "acme", "external")
    registry.add(path, "crm", "internal")
    done = CliRunner().invoke(cli, ["partners", "list"], env=env)
    assert done.exit_code == 0
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
        ("acme", "external", "leadledger.in.acme", "leadledger.out.acme"),
        ("crm", "internal", "leadledger.in.crm", "leadledger.out.crm"),
    ]


def test_the_settings_have_exactly_the_documented_shape() -> None:
    grant = Grant("acme", "pw", "ns.in.acme", "ns.out.acme", "ns.acme.")
    loopback = client_settings(KafkaAccess("127.0.0.1:9092"), grant, "llt_x")
    assert set(loopback) == {
        "partner_id",
        "kafka",
        "publish_topic",
        "subscribe_topic",
        "group_prefix",
        "http_token",
    }
    assert loopback["kafka"] == {
        "bootstrap_servers": "127.0.0.1:9092",
        "security_protocol": "SASL_PLAINTEXT",  # a partner always authenticates
        "sasl_mechanism": "SCRAM-SHA-512",
        "username": "acme",
        "password": "pw",
        "ssl_cafile": None,
    }
    tls = KafkaAccess("kafka.example.com:9094", "SASL_SSL", ssl_cafile="ca.pem")
    external = client_settings(tls, grant, "llt_x")["kafka"]
    assert (external["security_protocol"], external["ssl_cafile"]) == ("SASL_SSL", "ca.pem")
