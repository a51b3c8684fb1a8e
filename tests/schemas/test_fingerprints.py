"""The single-object header's fingerprint, as the Avro specification writes it.

The vectors are the specification's own (Apache Avro's ``share/test/data/
schema-tests.txt``, which Java's ``TestSchemaNormalization`` checks): a schema, its
Parsing Canonical Form and the CRC-64-AVRO that Java's
``SchemaNormalization.parsingFingerprint64`` returns, a signed 64-bit number. The
header carries that number's 8 bytes little-endian. ``tests/interop`` checks the same
against Java itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import avro.schema
import pytest
from fastavro import parse_schema
from fastavro.schema import to_parsing_canonical_form

from schemas.avro_schemas import (
    all_schemas,
    by_fingerprint,
    by_legacy_fingerprint,
    fingerprint64,
    latest,
    wire_fingerprint,
)
from schemas.codec import (
    HEADER_SIZE,
    MAGIC,
    DecodeError,
    decode,
    encode,
    type_of,
    unknown_fingerprint,
)
from schemas.lead_events import LeadActivity, LeadActivityData

# (input, Parsing Canonical Form, parsingFingerprint64 or None where the file gives none)
SPEC_VECTORS: list[tuple[str, str, int | None]] = [
    ('"null"', '"null"', 7195948357588979594),
    ('{"type":"null"}', '"null"', None),
    ('"boolean"', '"boolean"', -6970731678124411036),
    ('{"type":"boolean"}', '"boolean"', None),
    ('"int"', '"int"', 8247732601305521295),
    ('{"type":"int"}', '"int"', None),
    ('"long"', '"long"', -3434872931120570953),
    ('{"type":"long"}', '"long"', None),
    ('"float"', '"float"', 5583340709985441680),
    ('{"type":"float"}', '"float"', None),
    ('"double"', '"double"', -8181574048448539266),
    ('{"type":"double"}', '"double"', None),
    ('"bytes"', '"bytes"', 5746618253357095269),
    ('{"type":"bytes"}', '"bytes"', None),
    ('"string"', '"string"', -8142146995180207161),
    ('{"type":"string"}', '"string"', None),
    ("[  ]", "[]", -1241056759729112623),
    ('[ "int"  ]', '["int"]', -5232228896498058493),
    ('[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090),
    (
        '{"fields":[], "type":"record", "name":"foo"}',
        '{"name":"foo","type":"record","fields":[]}',
        -4824392279771201922,
    ),
    (
        '{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}',
        '{"name":"x.y.foo","type":"record","fields":[]}',
        5916914534497305771,
    ),
    (
        '{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}',
        '{"name":"a.b.foo","type":"record","fields":[]}',
        -4616218487480524110,
    ),
    (
        '{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}',
        '{"name":"foo","type":"record","fields":[]}',
        -4824392279771201922,
    ),
    (
        '{"fields":[], "type":"record", "name":"foo", "aliases":["foo","bar"]}',
        '{"name":"foo","type":"record","fields":[]}',
        -4824392279771201922,
    ),
    (
        '{"fields":[], "type":"record", "name":"foo", "doc":"foo", "aliases":["foo","bar"]}',
        '{"name":"foo","type":"record","fields":[]}',
        -4824392279771201922,
    ),
    (
        '{"fields":[{"type":{"type":"boolean"}, "name":"f1"}], "type":"record", "name":"foo"}',
        '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}',
        7843277075252814651,
    ),
    (
        '{ "fields":[{"type":"boolean", "aliases":[], "name":"f1", "default":"true"},'
        ' {"order":"descending","name":"f2","doc":"Hello","type":"int"}],'
        ' "type":"record", "name":"foo"}',
        '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},'
        '{"name":"f2","type":"int"}]}',
        -4860222112080293046,
    ),
    (
        '{"type":"enum", "name":"foo", "symbols":["A1"]}',
        '{"name":"foo","type":"enum","symbols":["A1"]}',
        -6342190197741309591,
    ),
    (
        '{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar",'
        ' "symbols":["A1", "A2"]}',
        '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}',
        -4448647247586288245,
    ),
    (
        '{"name":"foo","type":"fixed","size":15}',
        '{"name":"foo","type":"fixed","size":15}',
        1756455273707447556,
    ),
    (
        '{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}',
        '{"name":"x.y.z.foo","type":"fixed","size":32}',
        -3064184465700546786,
    ),
    (
        '{ "items":{"type":"null"}, "type":"array"}',
        '{"type":"array","items":"null"}',
        -589620603366471059,
    ),
    (
        '{ "values":"string", "type":"map"}',
        '{"type":"map","values":"string"}',
        -8732877298790414990,
    ),
    (
        '{"name":"PigValue","type":"record",'
        ' "fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
        '{"name":"PigValue","type":"record","fields":[{"name":"value",'
        '"type":["null","int","long","PigValue"]}]}',
        -1759257747318642341,
    ),
]
WITH_FINGERPRINT = [(form, value) for _, form, value in SPEC_VECTORS if value is not None]
# fastavro refuses the string default "true" of a boolean field that Java's parser lets
# pass; that vector's fingerprint is still checked below, from its canonical form.
PARSED_BY_FASTAVRO = [
    (text, form) for text, form, _ in SPEC_VECTORS if '"default":"true"' not in text
]


@pytest.mark.parametrize(("canonical", "expected"), WITH_FINGERPRINT)
def test_the_specification_fingerprints(canonical: str, expected: int) -> None:
    wire = wire_fingerprint(canonical)
    assert fingerprint64(wire) == expected
    assert wire == expected.to_bytes(8, "little", signed=True)  # the header's byte order


@pytest.mark.parametrize(("text", "canonical"), PARSED_BY_FASTAVRO)
def test_the_specification_canonical_forms(text: str, canonical: str) -> None:
    assert to_parsing_canonical_form(parse_schema(json.loads(text), _write_hint=False)) == canonical


def test_int_goes_on_the_wire_least_significant_byte_first() -> None:
    # 8247732601305521295 is 0x7275d51a3f395c8f.
    assert wire_fingerprint('"int"').hex(" ") == "8f 5c 39 3f 1a d5 75 72"


def test_a_lead_activity_carries_the_fingerprint_java_computes() -> None:
    """Issue 16's measurement: Java gives 4194012318399870539 for LeadActivity v2."""
    schema = next(s for s in all_schemas() if (s.type_name, s.version) == ("LeadActivity", 2))
    assert schema.fingerprint64 == 4194012318399870539
    assert schema.fingerprint.hex(" ") == "4b 36 d6 95 fb 1f 34 3a"
    event = LeadActivity(
        event_id="e",
        subject="L1",
        occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
        source="acme",
        data=LeadActivityData(activity="webinar"),
    )
    payload = encode(event)  # under the newest version, whose fingerprint leads the same way
    assert payload[:HEADER_SIZE] == MAGIC + latest()["LeadActivity"].fingerprint


def test_a_message_in_the_order_written_before_issue_16_still_reads() -> None:
    event = LeadActivity(
        event_id="e",
        subject="L1",
        occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
        source="acme",
        data=LeadActivityData(activity="webinar", points=3),
    )
    payload = encode(event)
    old = MAGIC + payload[2:HEADER_SIZE][::-1] + payload[HEADER_SIZE:]
    assert old[2:HEADER_SIZE] == latest()["LeadActivity"].fingerprint[::-1]
    assert decode(old) == event
    assert type_of(old) == "LeadActivity"


def test_no_reversed_fingerprint_is_another_schemas_fingerprint() -> None:
    spec, legacy = by_fingerprint(), by_legacy_fingerprint()
    assert len(spec) == len(legacy) == len(all_schemas())
    assert all(spec[key] is legacy[key] for key in set(spec) & set(legacy))


def test_an_unknown_fingerprint_is_shown_in_both_byte_orders() -> None:
    header = bytes.fromhex("0102030405060708")
    with pytest.raises(DecodeError) as caught:
        decode(MAGIC + header + b"body")
    reason = str(caught.value)
    assert "header bytes 01 02 03 04 05 06 07 08" in reason
    assert (
        f"little-endian as the Avro specification writes it, CRC-64-AVRO {0x0807060504030201}"
        in reason
    )
    assert f"big-endian (byte-reversed), {0x0102030405060708}" in reason
    assert reason.count("no schema of leadledger's") == 2
    assert "Python avro" not in reason


def test_the_explanation_says_which_order_matches_which_schema() -> None:
    schema = latest()["LeadActivity"]
    as_spec = unknown_fingerprint(schema.fingerprint)
    assert "little-endian as the Avro specification writes it, CRC-64-AVRO" in as_spec
    named = f"LeadActivity v{schema.version}"
    assert f"{schema.fingerprint64}: {named}" in as_spec
    as_reversed = unknown_fingerprint(schema.legacy_fingerprint)
    assert f"big-endian (byte-reversed), {schema.fingerprint64}: {named}" in as_reversed


def test_the_python_avro_packages_fingerprint_is_refused_and_named() -> None:
    """Its canonical form keeps {"type":"long"} for a timestamp: never on our wire."""
    schema = latest()["LeadActivity"]
    theirs = avro.schema.parse(json.dumps(schema.raw)).fingerprint()
    assert theirs != schema.fingerprint
    with pytest.raises(DecodeError) as caught:
        decode(MAGIC + theirs + b"body")
    reason = str(caught.value)
    assert reason.count("no schema of leadledger's") == 2
    assert (
        f"LeadActivity v{schema.version}'s fingerprint as the Python avro package computes it"
        in reason
    )
    assert "Publishing without this repository" in reason


def test_the_python_avro_package_differs_for_every_schema_and_the_fix_agrees() -> None:
    """Every schema here has a timestamp, so ``Schema.fingerprint()`` of avro 1.12 is off
    for all of them; parsing the schema without its ``logicalType`` attributes (which the
    Parsing Canonical Form drops anyway) gives the specification's fingerprint."""
    for schema in all_schemas():
        text = json.dumps(schema.raw)
        assert avro.schema.parse(text).fingerprint() != schema.fingerprint, schema.type_name
        plain = json.loads(
            text, object_hook=lambda o: {k: v for k, v in o.items() if k != "logicalType"}
        )
        assert avro.schema.parse(json.dumps(plain)).fingerprint() == schema.fingerprint
