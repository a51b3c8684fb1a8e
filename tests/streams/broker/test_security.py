"""The broker's security settings: SCRAM users at format, PLAIN on the controller
listener, deny by default, and the TLS listener only when asked for."""

from __future__ import annotations

from pathlib import Path

from streams.broker.security import (
    BrokerSecurity,
    ExternalListener,
    ScramUser,
    add_scram_arguments,
    advertised_listeners,
    listeners,
    security_properties,
)

SECURITY = BrokerSecurity(
    broker=ScramUser("leadledger-broker", "b"),
    users=(ScramUser("leadledger-worker", "w"),),
    super_users=("leadledger-broker", "leadledger-worker"),
)


def _properties(security: BrokerSecurity) -> dict[str, str]:
    return dict(line.split("=", 1) for line in security_properties(security).splitlines())


def test_every_user_is_formatted_in_and_only_super_users_bypass_acls() -> None:
    assert add_scram_arguments(SECURITY) == [
        "--add-scram", "SCRAM-SHA-512=[name=leadledger-broker,password=b]",
        "--add-scram", "SCRAM-SHA-512=[name=leadledger-worker,password=w]",
    ]  # fmt: skip
    found = _properties(SECURITY)
    assert found["allow.everyone.if.no.acl.found"] == "false"
    assert found["super.users"] == "User:leadledger-broker;User:leadledger-worker"
    assert found["sasl.mechanism.controller.protocol"] == "PLAIN"
    assert 'user_leadledger-broker="b"' in found["listener.name.controller.plain.sasl.jaas.config"]


def test_the_tls_listener_only_when_asked_for(tmp_path: Path) -> None:
    assert "EXTERNAL" not in listeners(9092, 9093, None)
    assert not any(key.startswith("listener.name.external") for key in _properties(SECURITY))
    external = ExternalListener("kafka.example.com", 9094, tmp_path / "broker.pem")
    with_tls = BrokerSecurity(SECURITY.broker, SECURITY.users, SECURITY.super_users, external)
    found = _properties(with_tls)
    assert found["listener.name.external.ssl.keystore.type"] == "PEM"
    assert listeners(9092, 9093, external).endswith(",EXTERNAL://0.0.0.0:9094")
    assert advertised_listeners(9092, external).endswith(",EXTERNAL://kafka.example.com:9094")
