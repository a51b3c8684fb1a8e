"""How a local broker authenticates and authorizes: its listeners' SASL settings, the
SCRAM users written at format time, the super users, the optional TLS listener.

Three listeners:

- ``CLIENT`` (``SASL_PLAINTEXT``, loopback): clients and inter-broker traffic, with
  SCRAM-SHA-512. SCRAM credentials live in the cluster's metadata log; the users exist
  from the first start because ``kafka-storage format --add-scram`` writes them there.
- ``CONTROLLER`` (``SASL_PLAINTEXT``, loopback): the KRaft quorum, with SASL/PLAIN and
  one user set in the listener's JAAS line. Not SCRAM: a controller would have to read
  the metadata log to check a SCRAM credential, and that log is what the controller
  connection is for (KAFKA-15513: SCRAM is not supported on the controller listener).
- ``EXTERNAL`` (``SASL_SSL``, opt-in): for other machines, SCRAM inside TLS, with the
  broker certificate the project issues (``streams.identity.certificates``) in a PEM
  key store.

The StandardAuthorizer (KRaft's) checks every request against the ACLs, and
``allow.everyone.if.no.acl.found=false`` denies what no ACL allows; the super users
pass every check.

This module knows user names and passwords only as data given to it: the credentials
themselves are made and kept by ``streams.identity``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MECHANISM = "SCRAM-SHA-512"
AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
_SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
_PLAIN_LOGIN = "org.apache.kafka.common.security.plain.PlainLoginModule"


@dataclass(frozen=True, slots=True)
class ScramUser:
    name: str
    password: str


@dataclass(frozen=True, slots=True)
class ExternalListener:
    """The SASL_SSL listener: bound on every interface at ``port``, advertised as
    ``host:port``; ``keystore`` holds the broker's key and certificate chain (PEM)."""

    host: str
    port: int
    keystore: Path


@dataclass(frozen=True, slots=True)
class BrokerSecurity:
    broker: ScramUser  # the brokers' own identity: inter-broker and controller traffic
    users: tuple[ScramUser, ...]  # created at format, beside the broker's
    super_users: tuple[str, ...]
    external: ExternalListener | None = None


def _jaas(module: str, user: ScramUser, *, plain_users: bool = False) -> str:
    line = f'{module} required username="{user.name}" password="{user.password}"'
    if plain_users:  # the PLAIN server side checks against the users listed here
        line += f' user_{user.name}="{user.password}"'
    return line + ";"


def listeners(port: int, controller_port: int, external: ExternalListener | None) -> str:
    found = f"CLIENT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}"
    return found + (f",EXTERNAL://0.0.0.0:{external.port}" if external else "")


def advertised_listeners(port: int, external: ExternalListener | None) -> str:
    found = f"CLIENT://127.0.0.1:{port}"
    return found + (f",EXTERNAL://{external.host}:{external.port}" if external else "")


def security_properties(security: BrokerSecurity) -> str:
    """The server.properties lines for SASL, the authorizer and the TLS listener."""
    broker = security.broker
    lines = [
        f"sasl.enabled.mechanisms={MECHANISM}",
        f"sasl.mechanism.inter.broker.protocol={MECHANISM}",
        f"listener.name.client.scram-sha-512.sasl.jaas.config={_jaas(_SCRAM_LOGIN, broker)}",
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.controller.plain.sasl.jaas.config="
        + _jaas(_PLAIN_LOGIN, broker, plain_users=True),
        f"authorizer.class.name={AUTHORIZER}",
        "allow.everyone.if.no.acl.found=false",
        "super.users=" + ";".join(f"User:{name}" for name in security.super_users),
    ]
    if security.external is not None:
        lines += [
            f"listener.name.external.scram-sha-512.sasl.jaas.config={_jaas(_SCRAM_LOGIN, broker)}",
            "listener.name.external.ssl.keystore.type=PEM",
            f"listener.name.external.ssl.keystore.location={security.external.keystore}",
        ]
    return "\n".join(lines) + "\n"


def add_scram_arguments(security: BrokerSecurity) -> list[str]:
    """``kafka-storage format`` arguments that create every SCRAM user."""
    arguments: list[str] = []
    for user in (security.broker, *security.users):
        arguments += ["--add-scram", f"{MECHANISM}=[name={user.name},password={user.password}]"]
    return arguments
