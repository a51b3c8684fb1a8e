"""The codec: single-object encoding round trips, and every bad input is a DecodeError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.avro_schemas import latest
from schemas.codec import MAGIC, DecodeError, decode, encode, type_of
from schemas.events import EVENT_TYPES
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadCaptured,
    LeadCapturedData,
    Person,
    SealedPerson,
)
from schemas.system_events import EscalationRaised, EscalationRaisedData
from schemas.times import EARLIEST, LATEST

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def captured(person: Person | SealedPerson) -> LeadCaptured:
    return LeadCaptured(
        event_id="e-1",
        subject="lead-1",
        occurred_at=T0,
        source="partner-a",
        data=LeadCapturedData(person=person, industry="saas", budget=12_000.5, readiness="3m"),
    )


def test_every_event_type_has_a_schema() -> None:
    assert set(latest()) == set(EVENT_TYPES)


@pytest.mark.parametrize(
    "event",
    [
        captured(Person(email="ana@example.com", country="DE")),
        captured(SealedPerson(key_id="k1", nonce="bm9uY2U=", ciphertext="Y2lwaGVy")),
        EscalationRaised(
            event_id="x",
            subject="lead-1",
            occurred_at=T0,
            source="leadledger",
            data=EscalationRaisedData(
                escalation_id="esc-1",
                rule="MQL_NOT_ACCEPTED",
                due_at=T0,
                notify=["sales-management"],
                details={"owner": "rep-7"},
            ),
        ),
    ],
)
def test_round_trip(event: LeadCaptured | EscalationRaised) -> None:
    payload = encode(event)
    assert payload[:2] == MAGIC
    assert decode(payload) == event
    assert type_of(payload) == event.type  # from the header alone


@given(
    points=st.one_of(st.none(), st.integers(-(2**40), 2**40)),
    activity=st.text(min_size=1, max_size=30),
    micros=st.integers(0, (LATEST - EARLIEST) // timedelta(microseconds=1) - 1),
)
def test_activity_round_trip_property(points: int | None, activity: str, micros: int) -> None:
    at = EARLIEST + timedelta(microseconds=micros)  # anywhere in the contract's range
    event = LeadActivity(
        event_id="e",
        subject="s",
        occurred_at=at,
        source="p",
        data=LeadActivityData(activity=activity, points=points),
    )
    assert decode(encode(event)) == event


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"", "shorter than the header"),
        (b'{"event_id": "json is not avro"}', "bad marker"),
        (MAGIC + b"\x00" * 8 + b"body", "unknown schema fingerprint"),
    ],
)
def test_bad_bytes_are_rejected_with_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(payload)
    with pytest.raises(DecodeError, match=reason):
        type_of(payload)


def test_truncated_body_is_a_decode_error() -> None:
    payload = encode(captured(Person(email="ana@example.com")))
    with pytest.raises(DecodeError, match="LeadCaptured"):
        decode(payload[:-5])


def test_schema_valid_but_invalid_event_names_the_field() -> None:
    payload = encode(captured(Person(email="ana@example.com")))
    broken = payload.replace(b"ana@example.com", b"not-an-email!!!")
    with pytest.raises(DecodeError, match=r"data\.person"):
        decode(broken)
