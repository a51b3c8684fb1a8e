"""Naming union branches for fastavro changes nothing on the wire."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastavro import schemaless_writer

from schemas.avro_schemas import latest
from schemas.codec import HEADER_SIZE, decode, encode
from schemas.envelope import Envelope
from schemas.jsonl import read_log
from schemas.union_hints import union_hints

GOLDEN = sorted(Path(__file__).resolve().parents[1].glob("golden/*.jsonl"))


def test_the_lead_capture_schema_names_its_unions_of_records() -> None:
    hints = union_hints(latest()["LeadCaptured"].raw)
    assert hints[("data", "person")] == {
        "Person": "leadledger.events.leadcaptured.Person",
        "SealedPerson": "leadledger.events.leadcaptured.SealedPerson",
    }
    assert set(hints[("record",)]) == {"Recorded"}


@pytest.mark.parametrize("log", GOLDEN, ids=lambda p: p.name)
def test_hinted_bytes_equal_fastavros_own_branch_search(log: Path) -> None:
    events: list[Envelope] = list(read_log(log))
    assert events
    for event in events:
        schema = latest()[event.type]
        unhinted = io.BytesIO()
        schemaless_writer(unhinted, schema.parsed, event.model_dump(mode="python"))
        payload = encode(event)
        assert payload[HEADER_SIZE:] == unhinted.getvalue()
        assert decode(payload) == event


def test_a_sealed_recorded_event_takes_the_other_branches() -> None:
    from datetime import UTC, datetime

    from projections.chain import stamp
    from schemas.lead_events import LeadCaptured, LeadCapturedData, SealedPerson

    sealed = LeadCaptured(
        event_id="e1",
        subject="L1",
        occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        source="crm",
        data=LeadCapturedData(
            person=SealedPerson(key_id="L1/1", nonce="bm9uY2U=", ciphertext="Y3Q=")
        ),
    )
    event = stamp(sealed, "ab" * 32, datetime(2026, 3, 2, 10, tzinfo=UTC))
    unhinted = io.BytesIO()
    schemaless_writer(unhinted, latest()["LeadCaptured"].parsed, event.model_dump(mode="python"))
    payload = encode(event)
    assert payload[HEADER_SIZE:] == unhinted.getvalue()
    assert decode(payload) == event
