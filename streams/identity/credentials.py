"""The project's own SASL/SCRAM principals and the file that holds their passwords.

Three principals, created when a local broker's storage is formatted
(``kafka-storage format --add-scram``):

- ``leadledger-broker``: the brokers themselves (inter-broker and controller traffic);
- ``leadledger-worker``: the Faust worker and its admin clients;
- ``leadledger-operator``: the ``leadledger`` commands (topics, replay, export, ...).

All three are super users: the worker must create, read and write every internal
topic, changelog and consumer group, and the operator administers the cluster. Every
other principal (a partner) gets only the ACLs provisioning grants it, and the broker
denies everything else (``allow.everyone.if.no.acl.found=false``).

The passwords live in ``$LEADLEDGER_HOME/kafka-credentials.json``, owner-only (0600),
written atomically, never in the repository. The file also names the addresses of the
broker it belongs to, so a client pointed at another broker does not offer these
credentials there (``streams.identity.clients``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from streams.private_files import write_private_json

BROKER = "leadledger-broker"
WORKER = "leadledger-worker"
OPERATOR = "leadledger-operator"
PRINCIPALS = (BROKER, WORKER, OPERATOR)
SUPER_USERS = PRINCIPALS
"""Principals the authorizer lets do anything; partners get ACLs only."""


class CredentialsError(RuntimeError):
    """A credentials file that is missing a principal or cannot be read."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Passwords by principal, and the bootstrap addresses of the broker they open."""

    passwords: dict[str, str]
    bootstrap: tuple[str, ...] = field(default=())

    def password(self, principal: str) -> str:
        try:
            return self.passwords[principal]
        except KeyError:
            raise CredentialsError(f"no password for {principal!r} in the credentials") from None

    def opens(self, bootstrap_servers: str) -> bool:
        """True when ``bootstrap_servers`` names the broker these credentials belong to."""
        wanted = {server.strip() for server in bootstrap_servers.split(",") if server.strip()}
        return bool(wanted & set(self.bootstrap))


def credentials_path(home: Path) -> Path:
    return home / "kafka-credentials.json"


def new_password() -> str:
    # 256 bits, URL-safe: no quote or backslash to escape in a JAAS line.
    return secrets.token_urlsafe(32)


def read_credentials(path: Path) -> Credentials:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(dict(body["passwords"]), tuple(body.get("bootstrap", ())))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CredentialsError(f"cannot read the credentials file {path}: {exc}") from exc


def write_credentials(path: Path, credentials: Credentials) -> None:
    """Owner-only and atomic (a temporary file renamed over it), like the token file."""
    body = {
        "version": 1,
        "bootstrap": list(credentials.bootstrap),
        "passwords": credentials.passwords,
    }
    write_private_json(path, body)


def ensure_credentials(home: Path, bootstrap: str) -> Credentials:
    """The local broker's credentials: read, or created with new passwords on first use.

    ``bootstrap`` is where that broker listens now; it is recorded so that clients
    offer these credentials to that broker only.
    """
    path = credentials_path(home)
    known = read_credentials(path) if path.exists() else Credentials({})
    passwords = {name: known.passwords.get(name) or new_password() for name in PRINCIPALS}
    addresses = tuple(s.strip() for s in bootstrap.split(",") if s.strip())
    current = Credentials(passwords | known.passwords, addresses)
    if current != known:
        write_credentials(path, current)
    return current
