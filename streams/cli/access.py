"""The ``leadledger`` commands connect as the operator (streams/identity/clients.py)."""

from __future__ import annotations

from streams.identity.clients import KafkaAccess, access
from streams.settings import Settings


def operator_access(settings: Settings) -> KafkaAccess:
    return access(settings.bootstrap_servers, role="operator", home=settings.home)
