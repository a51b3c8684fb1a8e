"""Local brokers with their credentials: what ``leadledger kafka start``, the tests'
broker, the fault harness's cluster and the bench start.

``streams.broker`` knows how to run a broker that authenticates, given the users as
data; ``streams.identity`` makes and keeps the credentials and the TLS material. This
module puts the two together, under one ``LEADLEDGER_HOME``: the broker's data in
``<home>/kafka`` (or ``<home>/node<N>``), the credentials in
``<home>/kafka-credentials.json``, the TLS files in ``<home>/tls``.
"""

from __future__ import annotations

from pathlib import Path

from streams.broker.local_broker import LocalKafka
from streams.broker.local_cluster import LocalCluster
from streams.broker.security import BrokerSecurity, ExternalListener, ScramUser
from streams.identity.certificates import ensure_tls
from streams.identity.clients import KafkaAccess
from streams.identity.credentials import (
    BROKER,
    OPERATOR,
    SUPER_USERS,
    WORKER,
    Credentials,
    ensure_credentials,
)


def broker_security(
    credentials: Credentials, external: ExternalListener | None = None
) -> BrokerSecurity:
    return BrokerSecurity(
        broker=ScramUser(BROKER, credentials.password(BROKER)),
        users=tuple(ScramUser(name, credentials.password(name)) for name in (WORKER, OPERATOR)),
        super_users=SUPER_USERS,
        external=external,
    )


def parse_host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {address!r}")
    return host, int(port)


def external_listener(home: Path, address: str) -> ExternalListener:
    """The SASL_SSL listener at ``address`` (HOST:PORT), with a certificate for HOST."""
    host, port = parse_host_port(address)
    tls = ensure_tls(home, [host, "127.0.0.1", "localhost"])
    return ExternalListener(host=host, port=port, keystore=tls.broker_keystore)


def local_kafka(
    home: Path,
    port: int,
    controller_port: int,
    jars_dir: Path | None = None,
    external: str | None = None,
) -> tuple[LocalKafka, Credentials]:
    """The single-node broker under ``home`` and the credentials it is formatted with."""
    credentials = ensure_credentials(home, f"127.0.0.1:{port}")
    listener = external_listener(home, external) if external else None
    broker = LocalKafka(
        home=home / "kafka",
        port=port,
        controller_port=controller_port,
        jars_dir=jars_dir,
        security=broker_security(credentials, listener),
    )
    return broker, credentials


def local_cluster(
    home: Path, ports: list[tuple[int, int]], jars_dir: Path | None = None
) -> tuple[LocalCluster, Credentials]:
    """Three nodes under ``home``, every one formatted with the same users."""
    bootstrap = ",".join(f"127.0.0.1:{port}" for port, _ in ports)
    credentials = ensure_credentials(home, bootstrap)
    cluster = LocalCluster(home, ports, jars_dir, security=broker_security(credentials))
    return cluster, credentials


def principal_access(bootstrap: str, credentials: Credentials, principal: str) -> KafkaAccess:
    """``principal``'s access to a local broker over its loopback SASL listener."""
    return KafkaAccess(
        bootstrap,
        security_protocol="SASL_PLAINTEXT",
        username=principal,
        password=credentials.password(principal),
    )
