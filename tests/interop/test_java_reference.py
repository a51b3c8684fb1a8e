"""Java's Avro and leadledger agree on every byte of the wire format, without a broker.

The broker round trip (Java's bytes applied by the worker, the worker's escalations and
notifications read by Java) is ``tests/integration/test_java_interop.py``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from schemas.avro_schemas import AVRO_ROOT, all_schemas
from schemas.codec import HEADER_SIZE, MAGIC, decode, encode
from schemas.events import PARTNER_EVENT_TYPES
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person
from schemas.system_events import (
    EscalationRaised,
    EscalationRaisedData,
    NotificationRaised,
    NotificationRaisedData,
)
from tests.schemas.test_fingerprints import SPEC_VECTORS
from tests.support.avro_java import AvroJava
from tests.support.every_type import every_partner_type

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MICROS = 1_793_610_000_000_000  # T0 in microseconds since the epoch


def test_every_schema_has_the_fingerprint_java_computes(avro_java: AvroJava) -> None:
    java = avro_java.fingerprints()
    ours = {f"{s.type_name}/v{s.version}.avsc": s.fingerprint64 for s in all_schemas()}
    assert len(ours) == len(all_schemas()) == 90
    assert java == ours
    assert java["LeadActivity/v2.avsc"] == 4194012318399870539


def test_java_agrees_with_the_specification_vectors(avro_java: AvroJava) -> None:
    java = avro_java.fingerprint([" ".join(text.split()) for text, _, _ in SPEC_VECTORS])
    for (text, canonical, fingerprint), (form, value) in zip(SPEC_VECTORS, java, strict=True):
        assert form == canonical, text
        if fingerprint is not None:
            assert value == fingerprint, text


def test_java_encodes_every_partner_type_to_exactly_our_bytes(avro_java: AvroJava) -> None:
    events = every_partner_type("unit", now=T0)
    assert {e.type for e in events} == PARTNER_EVENT_TYPES
    java = avro_java.encode_events(events)
    for event, payload in zip(events, java, strict=True):
        assert payload == encode(event), event.type  # header and body, byte for byte
        assert decode(payload) == event


def test_javas_decoder_reads_what_we_write_and_refused_the_old_order(
    avro_java: AvroJava,
) -> None:
    escalation = EscalationRaised(
        event_id="esc-event",
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
    )
    payload = encode(escalation)
    old = MAGIC + payload[2:HEADER_SIZE][::-1] + payload[HEADER_SIZE:]
    read, refused = avro_java.decode("EscalationRaised", [payload, old])
    assert json.loads(read) == {
        "event_id": "esc-event",
        "type": "EscalationRaised",
        "subject": "lead-1",
        "occurred_at": MICROS,
        "source": "leadledger",
        "actor": None,
        "record": None,
        "data": {
            "escalation_id": "esc-1",
            "rule": "MQL_NOT_ACCEPTED",
            "due_at": MICROS,
            "notify": ["sales-management"],
            "action": None,
            "details": {"owner": "rep-7"},
        },
    }
    # What issue 16 reported: Java cannot resolve the reversed fingerprint.
    assert refused.startswith(
        "error\tMissingSchemaException: Cannot resolve schema for fingerprint"
    )
    notification = NotificationRaised(
        event_id="n-event",
        subject="lead-1",
        occurred_at=T0,
        source="leadledger",
        data=NotificationRaisedData(
            notification_id="n-1", kind="mql_to_sales", notify=["marketing"], details={}
        ),
    )
    (read,) = avro_java.decode("NotificationRaised", [encode(notification)])
    assert json.loads(read)["data"]["notification_id"] == "n-1"


def test_the_java_partner_example_publishes_a_lead_we_read(avro_java: AvroJava) -> None:
    (line,) = avro_java.run("PartnerExample", [str(AVRO_ROOT)])
    assert decode(bytes.fromhex(line)) == LeadCaptured(
        event_id="evt-java-1",
        subject="lead-java-1",
        occurred_at=T0,
        source="acme",
        data=LeadCapturedData(person=Person(email="ana@example.com")),
    )
