"""A table's changelog must give back the exact bytes the agent wrote.

Faust chooses a table's changelog serializers from ``key_type``/``value_type``, not
from its ``schema``; without them the state JSON was recovered as a dict after a
restart (found by ``make bench``, which recovers a worker from its changelog).
"""

from __future__ import annotations

from typing import Any

import pytest

from projections.policy import Policy
from streams.settings import Settings
from streams.wiring import build_app


@pytest.mark.parametrize("table", ["leads", "deadlines", "escalations"])
def test_changelog_round_trips_raw_state_bytes(table: str) -> None:
    app: Any = build_app(Settings(namespace="tchangelog"), Policy())
    collection = getattr(app.leadledger, table)
    state = b'{"lead_id":"L1","status":"MQL"}'
    serializers = app.serializers
    written = serializers.dumps_value(
        collection.value_type, state, serializer=collection.value_serializer
    )
    recovered = serializers.loads_value(
        collection.value_type, written, serializer=collection.value_serializer
    )
    key = serializers.loads_key(
        collection.key_type,
        serializers.dumps_key(collection.key_type, "L1", serializer=collection.key_serializer),
        serializer=collection.key_serializer,
    )
    assert recovered == state
    assert key == "L1"
