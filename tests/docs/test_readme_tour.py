"""The README's one-minute tour works as printed: its Python block runs against a
stand-in producer, and the events it sends (decoded from the bytes it encoded) make
the lead an MQL that nobody assigned, so replay raises ``MQL_NOT_ASSIGNED``, as the
README says."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import kafka

from projections.lead.state import to_view
from projections.policy import Policy
from projections.replay import replay
from schemas.codec import decode

README = Path(__file__).parents[2] / "README.md"


class _Sent:
    def get(self) -> None:
        return None


class _Producer:
    """Records what the tour's producer sends instead of talking to a broker."""

    sent: ClassVar[list[tuple[str, bytes, bytes]]] = []

    def __init__(self, **_: Any) -> None:
        pass

    def send(self, topic: str, key: bytes, value: bytes) -> _Sent:
        self.sent.append((topic, key, value))
        return _Sent()


def _tour_block() -> str:
    blocks: list[str] = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.S)
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
