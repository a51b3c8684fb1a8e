"""The partner example of docs/partners.md works as printed: its Python blocks run
against a stand-in producer, and the events they send (decoded from the bytes they
encoded) make the agreement ACTIVE and admit the share, as the page says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import kafka

from projections.agreement.state import state_at
from projections.partner_view.body import to_view
from projections.policy import Policy
from projections.replay import replay
from schemas.codec import decode
from tests.support.doc_blocks import RecordingProducer as _Producer
from tests.support.doc_blocks import python_blocks

PAGE = Path(__file__).parents[2] / "docs" / "partners.md"


def _python_blocks() -> str:
    blocks: list[str] = python_blocks(PAGE)
    first = next(b for b in blocks if "LeadCaptured(" in b)
    partner = next(b for b in blocks if "AgreementProposed(" in b)
    return first + partner


def test_the_partner_example_activates_the_agreement_and_admits_the_share(
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(kafka, "KafkaProducer", _Producer)
    monkeypatch.setattr(_Producer, "sent", [])
    exec(compile(_python_blocks(), str(PAGE), "exec"), {})  # our own docs, on purpose
    events = [decode(value) for _, _, value in _Producer.sent]
    assert all(
        key == event.subject.encode()
        for (_, key, _), event in zip(_Producer.sent, events, strict=True)
    )
    topics = {
        event.type: topic for (topic, _, _), event in zip(_Producer.sent, events, strict=True)
    }
    assert topics["AgreementProposed"] == "leadledger.agreements"
    assert topics["LeadShared"] == "leadledger.leads"

    as_of = datetime(2026, 11, 3, tzinfo=UTC)
    result = replay(events, as_of, Policy())
    assert result.rejections == []
    agreement = result.agreements.get("AG-7")
    assert agreement is not None
    assert state_at(agreement, as_of) == "ACTIVE"
    assert agreement.signed_by == frozenset({"acme", "globex"})
    (share,) = result.leads["lead-42"].shares
    assert (share.from_partner, share.to_partner, share.status) == ("acme", "globex", "pending")
    globex, acme = to_view(result.partners["globex"]), to_view(result.partners["acme"])
    assert (globex["received"], acme["shared"]) == (["lead-42"], ["lead-42"])
    assert [p["lead_id"] for p in globex["pending_responses"]] == ["lead-42"]
