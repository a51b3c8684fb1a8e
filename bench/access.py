"""The bench's clients connect as the operator: from ``KAFKA_SASL_*`` in the
environment, which ``bench.run`` sets for the broker it starts (and a caller sets for a
broker it gives with ``--bootstrap``), as every client does (streams/identity/clients.py)."""

from __future__ import annotations

from streams.identity.clients import KafkaAccess, access


def operator_access(bootstrap: str) -> KafkaAccess:
    return access(bootstrap, role="operator")
