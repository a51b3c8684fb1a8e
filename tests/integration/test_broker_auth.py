"""The brokers authenticate and authorize: on the real broker, with auth on.

No credentials and a wrong password are refused; the worker and the operator connect;
a principal with no ACL is denied what it did not get; the listener for other machines
speaks SASL_SSL with the project's CA, and a client without that CA is refused.
"""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaTimeoutError

from streams.broker.jars import ensure_jars
from streams.broker.local_broker import LocalKafka
from streams.identity.clients import KafkaAccess
from streams.identity.credentials import (
    OPERATOR,
    WORKER,
    Credentials,
    credentials_path,
    ensure_credentials,
    new_password,
    write_credentials,
)
from streams.identity.provisioning import delete_user, set_password
from tests.support.kafka_auth import PASSWORDS, SASL_VARIABLES, principal, secured_broker
from tests.support.ports import free_port

pytestmark = pytest.mark.integration
LEADLEDGER = str(Path(sys.executable).parent / "leadledger")
# Short timeouts: a refused client must fail within the test, not after kafka-python's
# minute of retries.
QUICK = {"request_timeout_ms": 5000, "bootstrap_timeout_ms": 8000}


@pytest.fixture(scope="module")
def own_broker(kafka_bootstrap: str) -> str:
    """The session's broker when the session started it (its passwords are known)."""
    if os.environ.get("KAFKA_SASL_USERNAME") != OPERATOR:
        pytest.skip("the session's broker was given from outside: its users are not ours")
    return kafka_bootstrap


def _topics(kafka: KafkaAccess) -> set[str]:
    admin = KafkaAdminClient(**kafka.kafka_python(), **QUICK)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def test_a_client_without_credentials_is_refused(
    own_broker: str, created_topics: list[str]
) -> None:
    # The same broker answers a client with credentials:
    assert set(created_topics) <= _topics(principal(own_broker, OPERATOR))
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        _topics(KafkaAccess(own_broker))  # PLAINTEXT to the SASL listener


def test_a_wrong_password_is_refused(own_broker: str, created_topics: list[str]) -> None:
    right = principal(own_broker, OPERATOR)
    assert set(created_topics) <= _topics(right)
    wrong = right.as_user(OPERATOR, "not-the-password")
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        _topics(wrong)


def test_the_worker_and_the_operator_connect(own_broker: str, created_topics: list[str]) -> None:
    for name in (WORKER, OPERATOR):
        assert set(created_topics) <= _topics(principal(own_broker, name))


def test_a_user_without_acls_is_denied_every_topic(
    own_broker: str, created_topics: list[str]
) -> None:
    """Authorization is on and denies by default: a partner gets only what ACLs allow."""
    operator = principal(own_broker, OPERATOR)
    password = new_password()
    admin = KafkaAdminClient(**operator.kafka_python())
    set_password(admin, "no-acl-partner", password)
    try:
        assert set(created_topics) <= _topics(operator)
        # It authenticates, and sees no topic at all: metadata lists only what a
        # principal may describe, and no ACL lets it describe anything.
        assert _topics(operator.as_user("no-acl-partner", password)) == set()
    finally:
        delete_user(admin, "no-acl-partner")
        admin.close()


def test_commands_find_the_local_brokers_credentials_under_home(
    own_broker: str, tmp_path: Path, test_namespace: str
) -> None:
    """What `make run` relies on: no KAFKA_SASL_* at all, the operator's password read
    from the credentials file under LEADLEDGER_HOME, because it names this broker."""
    home = tmp_path / "home"
    write_credentials(credentials_path(home), Credentials(dict(PASSWORDS)))
    ensure_credentials(home, own_broker)  # records this broker's address
    env = {k: v for k, v in os.environ.items() if k not in SASL_VARIABLES}
    env |= {
        "KAFKA_BOOTSTRAP_SERVERS": own_broker,
        "LEADLEDGER_HOME": str(home),
        "LEADLEDGER_NAMESPACE": test_namespace,
    }
    done = subprocess.run(
        [LEADLEDGER, "topics"], check=False, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{test_namespace}.leads" in done.stdout.split()


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[tuple[LocalKafka, str]]:
    external = f"127.0.0.1:{free_port()}"
    broker = secured_broker(tmp_path, free_port(), free_port(), ensure_jars(), external=external)
    broker.start()
    try:
        yield broker, external
    finally:
        broker.stop()


def test_the_external_listener_speaks_sasl_ssl_with_the_projects_ca(
    tls_broker: tuple[LocalKafka, str], tmp_path: Path
) -> None:
    broker, external = tls_broker
    ca = tmp_path / "tls" / "ca.pem"
    trusted = KafkaAccess(
        external,
        security_protocol="SASL_SSL",
        username=OPERATOR,
        password=PASSWORDS[OPERATOR],
        ssl_cafile=str(ca),
    )
    assert _topics(trusted) == _topics(principal(f"127.0.0.1:{broker.port}", OPERATOR))
    # Without the CA a client trusts only the system's CAs, and the broker's certificate
    # is refused at the TLS handshake. Checked with a bare TLS client: kafka-python
    # leaks the socket of a failed handshake, which then fails a later test.
    host, port = external.rsplit(":", 1)
    with (
        socket.create_connection((host, int(port)), timeout=10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        ssl.create_default_context().wrap_socket(raw, server_hostname=host)
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        context = ssl.create_default_context(cafile=str(ca))
        with context.wrap_socket(raw, server_hostname=host) as tls:
            assert tls.version() is not None  # the same handshake succeeds with the CA
