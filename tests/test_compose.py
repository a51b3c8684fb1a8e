"""docker-compose.yml cannot drift from the local broker: its broker settings, rendered
as the apache/kafka image renders them, are the local broker's (issue 20, item 9).

No Docker engine runs here, so this is what stands in for ``docker compose up``: the log
directory is on a volume, auto-create is off, every topic and group setting is the
same, SASL and the authorizer are on with the same users, the clients authenticate, and
the worker's home outlives its container. PyYAML is not a dependency; the file is kept
to a plain shape that this small reader understands.
"""

from __future__ import annotations

import re
from pathlib import Path

from streams.broker.local_broker import SERVER_PROPERTIES
from streams.broker.security import (
    BrokerSecurity,
    ScramUser,
    advertised_listeners,
    listeners,
    security_properties,
)
from streams.identity.credentials import BROKER, OPERATOR, PRINCIPALS, SUPER_USERS, WORKER

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
# Where the broker runs and who it is, not how it behaves: these differ by design.
WHERE = {
    "controller.quorum.voters",
    "listeners",
    "advertised.listeners",
    "log.dirs",
}
PASSWORD = re.compile(r'(password|user_[\w-]+)="[^"]*"')


def _block(lines: list[str], start: int) -> list[str]:
    """The lines indented under ``lines[start]``."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    found = []
    for line in lines[start + 1 :]:
        content = line.strip() and not line.lstrip().startswith("#")
        if content and len(line) - len(line.lstrip()) <= indent:
            break
        found.append(line)
    return found


def _service(name: str) -> dict[str, list[str]]:
    lines = COMPOSE.read_text().splitlines()
    start = lines.index(f"  {name}:")
    body = _block(lines, start)
    keys = {}
    for n, line in enumerate(body):
        if re.match(r"^    [a-z_]+:", line):
            keys[line.strip().split(":", 1)[0]] = [
                item for item in _block(body, n) if item.strip() and item.strip()[0] != "#"
            ]
    return keys


def _environment(name: str) -> dict[str, str]:
    pairs = (line.strip().split(": ", 1) for line in _service(name)["environment"])
    return {key: value.strip('"') for key, value in pairs}


def _as_property(variable: str) -> str:
    # The apache/kafka image's rule: KAFKA_ dropped, ___ -> '-', __ -> '_', _ -> '.'.
    name = variable.removeprefix("KAFKA_").lower()
    return name.replace("___", "-").replace("__", "\0").replace("_", ".").replace("\0", "_")


def _compose_properties() -> dict[str, str]:
    return {
        _as_property(key): value
        for key, value in _environment("kafka").items()
        if key.startswith("KAFKA_") and key != "KAFKA_OPTS"
    }


def _local_properties() -> dict[str, str]:
    security = BrokerSecurity(
        broker=ScramUser(BROKER, "x"),
        users=tuple(ScramUser(name, "x") for name in PRINCIPALS if name != BROKER),
        super_users=SUPER_USERS,
    )
    text = SERVER_PROPERTIES.format(
        listeners=listeners(9092, 9093, None),
        advertised_listeners=advertised_listeners(9092, None),
        controller_port=9093,
        data_dir="/data",
    ) + security_properties(security)
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def _masked(value: str) -> str:
    return PASSWORD.sub(r'\1="*"', value)


def test_compose_broker_has_every_local_setting_with_the_same_value() -> None:
    local, compose = _local_properties(), _compose_properties()
    behaviour = {key: _masked(value) for key, value in local.items() if key not in WHERE}
    assert {key: _masked(compose.get(key, "(missing)")) for key in behaviour} == behaviour
    assert set(compose) - set(local) == set(), "compose sets what the local broker does not"


def test_compose_broker_authenticates_and_authorizes_like_the_local_one() -> None:
    compose = _compose_properties()
    assert compose["authorizer.class.name"].endswith("StandardAuthorizer")
    assert compose["allow.everyone.if.no.acl.found"] == "false"
    assert compose["auto.create.topics.enable"] == "false"
    assert "PLAINTEXT:PLAINTEXT" not in compose["listener.security.protocol.map"]
    assert compose["listeners"].startswith("CLIENT://")


def test_compose_broker_logs_to_its_volume_and_formats_the_three_users() -> None:
    kafka = _service("kafka")
    log_dir = _compose_properties()["log.dirs"]
    mounted = [line.strip().removeprefix("- ").split(":", 1)[1] for line in kafka["volumes"]]
    assert any(log_dir == target or log_dir.startswith(target + "/") for target in mounted)
    command = "\n".join(kafka["command"])
    for principal in PRINCIPALS:
        assert f'--add-scram "SCRAM-SHA-512=[name={principal},password=' in command


def test_compose_clients_authenticate_and_keep_no_secret_in_the_file() -> None:
    for service, principal in (("topics", OPERATOR), ("worker", WORKER)):
        env = _environment(service)
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
        assert env["KAFKA_SASL_USERNAME"] == principal
        assert re.fullmatch(r"\$\{LEADLEDGER_\w+_PASSWORD:\?set it\}", env["KAFKA_SASL_PASSWORD"])
    for key, value in _environment("kafka").items():
        if "password" in value.lower() or "PASSWORD" in key:
            assert all(
                found.startswith("${LEADLEDGER_")
                for found in re.findall(r'password="([^"]*)"', value)
            ), key


def test_compose_worker_home_is_a_volume() -> None:
    home = _environment("worker")["LEADLEDGER_HOME"]
    mounted = [line.strip().removeprefix("- ") for line in _service("worker")["volumes"]]
    assert any(entry.split(":", 1)[1] == home for entry in mounted)
