"""SCRAM users on a running broker, through kafka-python's admin client: what
provisioning (``leadledger partners add|rotate|remove``) builds on.

The broker keeps SCRAM credentials in its metadata log, so a user created here can
authenticate at once, on every broker, with no restart. A new password replaces the
old one: the old one stops working for new connections.
"""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import UserScramCredentialDeletion, UserScramCredentialUpsertion

from streams.identity.clients import SCRAM, KafkaAccess
from streams.identity.credentials import new_password


class ScramUserError(RuntimeError):
    """The broker refused to change a user's credentials."""


def _alter(admin_access: KafkaAccess, alteration: object) -> None:
    admin = KafkaAdminClient(**admin_access.kafka_python(), client_id="leadledger-users")
    try:
        errors = admin.alter_user_scram_credentials([alteration])
    finally:
        admin.close()
    failed = {user: error for user, error in errors.items() if error}
    if failed:
        raise ScramUserError(f"the broker refused: {failed}")


def set_scram_user(admin_access: KafkaAccess, username: str, password: str | None = None) -> str:
    """Create ``username``, or give it a new password; returns the password."""
    password = password or new_password()
    _alter(admin_access, UserScramCredentialUpsertion(username, SCRAM, password))
    return password


def delete_scram_user(admin_access: KafkaAccess, username: str) -> None:
    _alter(admin_access, UserScramCredentialDeletion(username, SCRAM))
