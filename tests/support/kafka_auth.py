"""Brokers that authenticate, for the tests, the fault harness and the bench, and how
their clients connect.

Every broker one process starts shares one set of passwords (``PASSWORDS``), written
into each broker's credentials file before it is formatted. The process's clients
then authenticate as the operator through the environment (``KAFKA_SASL_*``), exactly
as an operator's shell or a Docker service would, and every helper, subprocess and
``leadledger`` command it starts opens whichever of its brokers it is pointed at.
Workers get the worker's identity instead (:func:`as_worker`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from streams import local_auth
from streams.broker.local_broker import LocalKafka
from streams.broker.local_cluster import LocalCluster
from streams.identity.clients import KafkaAccess, access
from streams.identity.credentials import (
    OPERATOR,
    PRINCIPALS,
    WORKER,
    Credentials,
    credentials_path,
    new_password,
    write_credentials,
)

PASSWORDS = {principal: new_password() for principal in PRINCIPALS}
SASL_VARIABLES = (
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "KAFKA_SSL_CAFILE",
)


def _shared_credentials(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    write_credentials(credentials_path(home), Credentials(dict(PASSWORDS)))


def secured_broker(
    home: Path, port: int, controller_port: int, jars_dir: Path | None = None, **kw: Any
) -> LocalKafka:
    """A single-node broker under ``home`` that authenticates with ``PASSWORDS``."""
    _shared_credentials(home)
    broker, _ = local_auth.local_kafka(home, port, controller_port, jars_dir, **kw)
    return broker


def secured_cluster(
    home: Path, ports: list[tuple[int, int]], jars_dir: Path | None = None
) -> LocalCluster:
    _shared_credentials(home)
    cluster, _ = local_auth.local_cluster(home, ports, jars_dir)
    return cluster


def principal(bootstrap: str, name: str) -> KafkaAccess:
    return KafkaAccess(
        bootstrap, security_protocol="SASL_PLAINTEXT", username=name, password=PASSWORDS[name]
    )


def operator_environment() -> dict[str, str]:
    env = principal("", OPERATOR).environment()
    env.pop("KAFKA_BOOTSTRAP_SERVERS")
    return env


def export_operator() -> None:
    """This process and its children authenticate as the operator from now on."""
    os.environ.update(operator_environment())


@contextmanager
def operator_exported() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in SASL_VARIABLES}
    export_operator()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def as_worker(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a worker process: the worker's identity where it had the operator's
    (a broker this process started), unchanged otherwise (a broker given from outside)."""
    out = dict(env)
    if out.get("KAFKA_SASL_USERNAME") == OPERATOR:
        out["KAFKA_SASL_USERNAME"] = WORKER
        out["KAFKA_SASL_PASSWORD"] = PASSWORDS[WORKER]
    return out


def client_access(bootstrap: str) -> KafkaAccess:
    """How test code connects to ``bootstrap``: as the environment says."""
    return access(bootstrap, role="operator")


def kafka_config(bootstrap: str) -> dict[str, Any]:
    """kafka-python keyword arguments for ``bootstrap``, credentials included."""
    return client_access(bootstrap).kafka_python()
