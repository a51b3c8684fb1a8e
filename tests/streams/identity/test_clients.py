"""Where a client's connection settings come from, and how each library gets them."""

from __future__ import annotations

import ssl
from pathlib import Path

import faust

from streams.identity.clients import KafkaAccess, access
from streams.identity.credentials import (
    OPERATOR,
    WORKER,
    Credentials,
    credentials_path,
    ensure_credentials,
    write_credentials,
)

LOCAL = "127.0.0.1:9092"


def _home_with_credentials(tmp_path: Path) -> Path:
    write_credentials(
        credentials_path(tmp_path), Credentials({WORKER: "w-pass", OPERATOR: "o-pass"})
    )
    ensure_credentials(tmp_path, LOCAL)
    return tmp_path


def test_the_environment_wins_over_the_credentials_file(tmp_path: Path) -> None:
    home = _home_with_credentials(tmp_path)
    env = {"KAFKA_SASL_USERNAME": "acme", "KAFKA_SASL_PASSWORD": "secret"}
    got = access(LOCAL, role="worker", home=home, environ=env)
    assert (got.security_protocol, got.username, got.password) == (
        "SASL_PLAINTEXT",
        "acme",
        "secret",
    )
    assert got.sasl_mechanism == "SCRAM-SHA-512"


def test_a_ca_file_means_sasl_ssl() -> None:
    env = {"KAFKA_SASL_USERNAME": "acme", "KAFKA_SASL_PASSWORD": "s", "KAFKA_SSL_CAFILE": "/ca.pem"}
    got = access("broker.example:9094", role="operator", environ=env)
    assert got.security_protocol == "SASL_SSL"
    assert got.kafka_python()["ssl_cafile"] == "/ca.pem"
    assert got.confluent()["ssl.ca.location"] == "/ca.pem"


def test_the_file_gives_each_role_its_own_principal(tmp_path: Path) -> None:
    home = _home_with_credentials(tmp_path)
    worker = access(LOCAL, role="worker", home=home, environ={})
    operator = access(LOCAL, role="operator", home=home, environ={})
    assert (worker.username, worker.password) == (WORKER, "w-pass")
    assert (operator.username, operator.password) == (OPERATOR, "o-pass")


def test_another_broker_gets_no_credentials_from_the_file(tmp_path: Path) -> None:
    """A plain broker given by KAFKA_BOOTSTRAP_SERVERS works as before auth existed."""
    home = _home_with_credentials(tmp_path)
    got = access("127.0.0.1:39092", role="worker", home=home, environ={})
    assert got == KafkaAccess("127.0.0.1:39092")
    assert got.faust_credentials() is None
    assert got.kafka_python() == {
        "bootstrap_servers": "127.0.0.1:39092",
        "security_protocol": "PLAINTEXT",
    }


def test_an_explicit_protocol_alone_overrides_the_file(tmp_path: Path) -> None:
    home = _home_with_credentials(tmp_path)
    got = access(LOCAL, role="worker", home=home, environ={"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"})
    assert not got.sasl


def test_each_library_gets_the_same_identity() -> None:
    kafka = KafkaAccess(LOCAL, "SASL_PLAINTEXT", username="u", password="p")
    assert kafka.kafka_python()["sasl_plain_username"] == "u"
    assert kafka.aiokafka()["sasl_plain_password"] == "p"
    assert kafka.confluent()["sasl.username"] == "u"
    assert kafka.confluent()["security.protocol"] == "sasl_plaintext"
    credentials = kafka.faust_credentials()
    assert isinstance(credentials, faust.SASLCredentials)
    assert (credentials.username, credentials.mechanism.value) == ("u", "SCRAM-SHA-512")
    assert credentials.protocol.value == "SASL_PLAINTEXT"


def test_faust_speaks_sasl_ssl_with_the_ca(tmp_path: Path) -> None:
    from streams.identity.certificates import ensure_tls

    ca = ensure_tls(tmp_path, ["127.0.0.1"]).ca_cert
    kafka = KafkaAccess(LOCAL, "SASL_SSL", username="u", password="p", ssl_cafile=str(ca))
    credentials = kafka.faust_credentials()
    assert credentials is not None
    assert credentials.protocol.value == "SASL_SSL"
    assert isinstance(kafka.aiokafka()["ssl_context"], ssl.SSLContext)


def test_environment_round_trips_for_a_child_process() -> None:
    kafka = KafkaAccess(LOCAL, "SASL_SSL", username="u", password="p", ssl_cafile="/ca.pem")
    assert access(LOCAL, role="worker", environ=kafka.environment()) == kafka
