"""The JSON-Lines event-log form: round trip, and errors that name the line."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from schemas.jsonl import LogLineError, dump_line, iter_log, write_log
from schemas.lead_events import LeadActivity, LeadActivityData

EVENT = LeadActivity(
    event_id="e1",
    subject="L1",
    occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
    source="p",
    data=LeadActivityData(activity="webinar"),
)


def test_round_trip_and_canonical_fields() -> None:
    out = io.StringIO()
    assert write_log([EVENT, EVENT], out) == 2
    assert list(iter_log(out.getvalue().splitlines())) == [EVENT, EVENT]
    line = dump_line(EVENT)
    assert line.startswith('{"event_id":"e1","type":"LeadActivity"')
    assert '"occurred_at":"2026-11-02T09:00:00Z"' in line


def test_malformed_line_is_reported_with_its_number() -> None:
    lines = [dump_line(EVENT), "", '{"event_id": "x", "type": "LeadActivity"}']
    with pytest.raises(LogLineError) as caught:
        list(iter_log(lines))
    assert caught.value.line_number == 3
    assert "subject" in caught.value.reason
