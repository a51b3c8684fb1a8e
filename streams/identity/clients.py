"""How every Kafka client of the project connects: one ``KafkaAccess`` per process,
rendered for kafka-python, aiokafka, Faust and confluent-kafka.

Where the settings come from, first match wins:

1. the environment: ``KAFKA_SASL_USERNAME`` and ``KAFKA_SASL_PASSWORD`` (with
   ``KAFKA_SECURITY_PROTOCOL``, default ``SASL_PLAINTEXT``, or ``SASL_SSL`` when
   ``KAFKA_SSL_CAFILE`` is set; ``KAFKA_SASL_MECHANISM``, default ``SCRAM-SHA-512``):
   Docker, a production worker, a partner, a test session;
2. ``KAFKA_SECURITY_PROTOCOL`` alone (e.g. ``PLAINTEXT`` for an unsecured broker);
3. the local broker's credentials file under ``$LEADLEDGER_HOME``
   (``streams.identity.credentials``), when the bootstrap servers are that broker's:
   ``make run`` and the ``leadledger`` commands next to it, as the role asked for;
4. otherwise plaintext without credentials, as before brokers authenticated (a plain
   broker given by ``KAFKA_BOOTSTRAP_SERVERS``, e.g. testcontainers' Kafka).
"""

from __future__ import annotations

import logging
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streams.identity.credentials import (
    OPERATOR,
    WORKER,
    credentials_path,
    read_credentials,
)

if TYPE_CHECKING:
    import faust

SCRAM = "SCRAM-SHA-512"
ROLES = {"worker": WORKER, "operator": OPERATOR}

# kafka-python warns "Exchanging credentials in the clear" on every SASL_PLAINTEXT
# connection. SCRAM is a challenge-response: the password itself never crosses the
# wire, and the plaintext listener is loopback (other machines get SASL_SSL). Quieted,
# so the commands' stderr keeps what matters.
logging.getLogger("kafka.net.sasl.scram").setLevel(logging.ERROR)


@dataclass(frozen=True, slots=True)
class KafkaAccess:
    """Where the brokers are and who this client is to them."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = SCRAM
    username: str | None = None
    password: str | None = None
    ssl_cafile: str | None = None

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same brokers and protocol, another principal (e.g. a partner's)."""
        protocol = self.security_protocol if self.sasl else "SASL_PLAINTEXT"
        return replace(self, security_protocol=protocol, username=username, password=password)

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls:
            return None
        # The CA file alone is trusted when given: the project's own CA, not the system's.
        return ssl.create_default_context(cafile=self.ssl_cafile)

    def _python_client_settings(self) -> dict[str, Any]:
        """What kafka-python and aiokafka name alike: they differ only in TLS."""
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl:
            config |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return config

    def kafka_python(self) -> dict[str, Any]:
        """Keyword arguments for kafka-python's producer, consumer and admin client."""
        config = self._python_client_settings()
        if self.tls and self.ssl_cafile:
            config["ssl_cafile"] = self.ssl_cafile
        return config

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's consumer, producer and admin client."""
        config = self._python_client_settings()
        if self.tls:
            config["ssl_context"] = self.ssl_context()
        return config

    def faust_credentials(self) -> faust.SASLCredentials | None:
        """Faust's ``broker_credentials``; ``None`` for a plaintext broker."""
        if not self.sasl:
            return None
        import faust  # noqa: PLC0415 - here: the commands that never start Faust skip it

        # An SSL context makes Faust speak SASL_SSL; without one, SASL_PLAINTEXT.
        return faust.SASLCredentials(
            username=self.username,
            password=self.password,
            ssl_context=self.ssl_context(),
            mechanism=self.sasl_mechanism,
        )

    def confluent(self) -> dict[str, Any]:
        """librdkafka settings for confluent-kafka's clients."""
        config: dict[str, Any] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol.lower(),
        }
        if self.sasl:
            config |= {
                "sasl.mechanism": self.sasl_mechanism,
                "sasl.username": self.username,
                "sasl.password": self.password,
            }
        if self.tls and self.ssl_cafile:
            config["ssl.ca.location"] = self.ssl_cafile
        return config

    def environment(self) -> dict[str, str]:
        """The variables that give a child process (a worker, a command) this access."""
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "KAFKA_SECURITY_PROTOCOL": self.security_protocol,
        }
        if self.sasl:
            env |= {
                "KAFKA_SASL_MECHANISM": self.sasl_mechanism,
                "KAFKA_SASL_USERNAME": self.username or "",
                "KAFKA_SASL_PASSWORD": self.password or "",
            }
        if self.ssl_cafile:
            env["KAFKA_SSL_CAFILE"] = self.ssl_cafile
        return env


def access(
    bootstrap_servers: str,
    *,
    role: str,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> KafkaAccess:
    """The access of a ``role`` (``worker`` or ``operator``) to ``bootstrap_servers``."""
    env = os.environ if environ is None else environ
    protocol = env.get("KAFKA_SECURITY_PROTOCOL")
    cafile = env.get("KAFKA_SSL_CAFILE") or None
    mechanism = env.get("KAFKA_SASL_MECHANISM") or SCRAM
    if username := env.get("KAFKA_SASL_USERNAME"):
        default = "SASL_SSL" if cafile else "SASL_PLAINTEXT"
        return KafkaAccess(
            bootstrap_servers,
            security_protocol=protocol or default,
            sasl_mechanism=mechanism,
            username=username,
            password=env.get("KAFKA_SASL_PASSWORD", ""),
            ssl_cafile=cafile,
        )
    if protocol:
        return KafkaAccess(bootstrap_servers, security_protocol=protocol, ssl_cafile=cafile)
    if home is not None and credentials_path(home).exists():
        credentials = read_credentials(credentials_path(home))
        if credentials.opens(bootstrap_servers):
            principal = ROLES[role]
            return KafkaAccess(
                bootstrap_servers,
                security_protocol="SASL_PLAINTEXT",
                username=principal,
                password=credentials.password(principal),
            )
    return KafkaAccess(bootstrap_servers)
