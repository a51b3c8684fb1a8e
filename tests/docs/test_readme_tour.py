"""The README's one-minute tour works as printed: its Python block runs against a
stand-in producer, and the events it sends (decoded from the bytes it encoded) make
the lead an MQL that nobody assigned, so replay raises ``MQL_NOT_ASSIGNED``, as the
README says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kafka

from projections.lead.state import to_view
from projections.policy import Policy
from projections.replay import replay
from schemas.codec import decode
from tests.support.doc_blocks import RecordingProducer as _Producer
from tests.support.doc_blocks import python_blocks

README = Path(__file__).parents[2] / "README.md"


def _tour_block() -> str:
    blocks: list[str] = python_blocks(README)
    return next(b for b in blocks if '"lead-tour"' in b)


def test_the_readme_tour_makes_an_unassigned_mql_that_escalates(monkeypatch: Any) -> None:
    monkeypatch.setattr(kafka, "KafkaProducer", _Producer)
    monkeypatch.setattr(_Producer, "sent", [])
    exec(compile(_tour_block(), str(README), "exec"), {})  # our own README, on purpose
    events = [decode(value) for _, _, value in _Producer.sent]
    assert {topic for topic, _, _ in _Producer.sent} == {"leadledger.leads"}
    assert all(
        key == event.subject.encode()
        for (_, key, _), event in zip(_Producer.sent, events, strict=True)
    )

    result = replay(events, datetime.now(UTC), Policy())
    assert result.rejections == []
    view = to_view(result.leads["lead-tour"])
    assert (view["status"], view["score"]) == ("MQL", 78)
    assert [e["rule"] for e in view["escalations"]] == ["MQL_NOT_ASSIGNED"]
    assert [row["rule"] for row in result.escalation_rows()] == ["MQL_NOT_ASSIGNED"]
