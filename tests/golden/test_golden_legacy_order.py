"""A record log written before issue 16, in the old (byte-reversed) header order, still
reads, verifies and replays to the answers the golden log gives.

The hash chain (``projections.chain``) covers each event's canonical JSON, not its
encoded bytes, so the header's byte order cannot break a link: these records verify
as they did when they were written.
"""

from __future__ import annotations

from projections.chain import first_break
from projections.partner_view.fold import to_view
from projections.replay import replay
from schemas.avro_schemas import by_fingerprint, by_legacy_fingerprint
from schemas.codec import HEADER_SIZE, MAGIC, decode, encode, type_of
from tests.golden.legacy_order import legacy_records
from tests.golden.load import golden
from tests.golden.test_golden_partnership import AS_OF
from tests.support.recorded import recorded

CASE = golden("partnership")


def test_the_fixture_is_in_the_old_order() -> None:
    records = legacy_records()
    assert len(records) == len(CASE.events) == 35
    for record, event in zip(records, CASE.events, strict=True):
        # Written under the version that was newest then (a later one may exist now).
        schema = by_legacy_fingerprint()[record.value[2:HEADER_SIZE]]
        assert schema.type_name == event.type
        assert record.value[:2] == MAGIC
        assert record.value[2:HEADER_SIZE] == schema.legacy_fingerprint != schema.fingerprint


def test_the_old_order_is_todays_bytes_with_the_fingerprint_reversed() -> None:
    """Only the header changed: the old bytes with the header turned round are today's
    form of the same schema version, and read as the same event."""
    for record, event in zip(legacy_records(), recorded(CASE.events), strict=True):
        header = record.value[2:HEADER_SIZE]
        turned = MAGIC + header[::-1] + record.value[HEADER_SIZE:]
        assert by_fingerprint()[header[::-1]] is by_legacy_fingerprint()[header]
        assert decode(turned) == event
        assert type_of(encode(event)) == event.type


def test_an_old_record_log_verifies_and_replays_like_the_golden_log() -> None:
    events = [decode(record.value) for record in legacy_records()]
    assert events == recorded(CASE.events)
    assert [r.key for r in legacy_records()] == [e.subject for e in events]
    assert first_break(events) == (35, None)
    old, new = replay(events, AS_OF, CASE.policy), replay(CASE.events, AS_OF, CASE.policy)
    assert old.rejections == new.rejections
    assert [e.data.escalation_id for e in old.escalations] == [
        e.data.escalation_id for e in new.escalations
    ]
    assert {p: to_view(v) for p, v in old.partners.items()} == {
        p: to_view(v) for p, v in new.partners.items()
    }
