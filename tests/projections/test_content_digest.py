"""The content digest is the canonical JSON of ``model_dump(mode="json")``, keys sorted,
written by orjson from the fields directly (projections/idempotency.py): byte for byte
the same as through pydantic, for every event type, time and number."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.workload import lead_events, partner_events
from projections.idempotency import DIGEST_HEX, content_digest
from schemas.envelope import Envelope
from schemas.jsonl import read_log
from schemas.lead_events import LeadCaptured, LeadConverted
from tests.support.leads import Lead

GOLDEN = sorted((Path(__file__).parents[1] / "golden").glob("*.jsonl"))


def through_pydantic(event: Envelope) -> str:
    body: dict[str, Any] = event.model_dump(mode="json", exclude={"record", "source_kind"})
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:DIGEST_HEX]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.name)
def test_every_golden_record_digests_as_through_pydantic(path: Path) -> None:
    for event in read_log(path):
        assert content_digest(event) == through_pydantic(event)


def test_the_bench_workloads_digest_as_through_pydantic() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    for event in [*lead_events(200, now), *partner_events(20, now)]:
        assert content_digest(event) == through_pydantic(event)


times = st.datetimes(  # hypothesis bounds are naive; the zones make the times aware
    min_value=datetime(1, 1, 2),  # noqa: DTZ001
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=1, minutes=30))]),
)


@given(times)
def test_any_time_digests_as_through_pydantic(moment: datetime) -> None:
    event = Lead("L1").captured().model_copy(update={"occurred_at": moment})
    assert content_digest(event) == through_pydantic(event)


@given(st.floats(allow_nan=True, allow_infinity=True) | st.none())
def test_any_amount_digests_as_through_pydantic(amount: float | None) -> None:
    event = Lead("L1").converted(datetime(2026, 11, 2, tzinfo=UTC), opportunity="O1")
    assert isinstance(event, LeadConverted)
    data = event.data.model_copy(update={"amount": amount})
    event = event.model_copy(update={"data": data})
    assert content_digest(event) == through_pydantic(event)


def test_a_capture_with_a_profile_and_a_budget() -> None:
    event = Lead("L1").captured()
    assert isinstance(event, LeadCaptured)
    data = event.data.model_copy(update={"budget": 1e16, "industry": "ä\u2028"})
    event = event.model_copy(update={"data": data})
    assert content_digest(event) == through_pydantic(event)
