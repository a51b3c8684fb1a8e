"""The HTTP door's decision on a body: every reason, and the status that says which."""

from __future__ import annotations

import json
from typing import Any

from projections.access import TokenEntry, decide_publish
from projections.admission.decide import Publisher
from projections.admission.door import MAX_BODY_BYTES, judge_body
from tests.projections.admission.test_decide import as_published_by, one_of_each

ACME = Publisher("acme", "external")


def body_of(*events: dict[str, Any]) -> bytes:
    return json.dumps(list(events) if len(events) != 1 else events[0]).encode()


def capture(partner: str = "acme", **changes: Any) -> dict[str, Any]:
    event = as_published_by(one_of_each()["LeadCaptured"], partner)
    body: dict[str, Any] = event.model_dump(mode="json", exclude={"record", "source_kind"})
    return body | changes


def test_one_event_or_an_array_is_accepted_with_its_ids() -> None:
    one = judge_body(body_of(capture()), ACME)
    assert (one.status, one.body()) == (202, {"accepted": [capture()["event_id"]]})
    two = judge_body(body_of(capture(), capture(event_id="second")), ACME)
    assert two.body() == {"accepted": [capture()["event_id"], "second"]}


def test_every_reason_of_every_event_at_once() -> None:
    answer = judge_body(
        body_of(capture(occurred_at="yesterday"), capture("globex"), capture(type="Nope")), ACME
    )
    assert answer.status == 422
    assert [e["index"] for e in answer.errors] == [0, 1, 2]
    assert "occurred_at" in answer.errors[0]["reasons"][0]
    assert any("globex" in r and "acme" in r for r in answer.errors[1]["reasons"])


def test_a_valid_event_naming_someone_else_is_403() -> None:
    answer = judge_body(body_of(capture("globex")), ACME)
    assert answer.status == 403
    assert "source names globex, but the publisher is acme" in answer.errors[0]["reasons"][0]


def test_not_json_not_events_and_too_large() -> None:
    assert judge_body(b"{oops", ACME).status == 400
    assert judge_body(b"[]", ACME).status == 400
    assert judge_body(b"[1, 2]", ACME).status == 400
    assert judge_body(b" " * (MAX_BODY_BYTES + 1), ACME).status == 413


def test_only_a_partner_token_publishes() -> None:
    partner = TokenEntry("t1", "partner", "acme", "digest", "2026-01-01")
    operator = TokenEntry("t2", "operator", None, "digest", "2026-01-01")
    assert decide_publish(partner).status == 200
    assert decide_publish(operator).status == 403
    assert decide_publish(None).status == 401
    assert decide_publish(None, token_presented=True).status == 401


def test_a_time_outside_the_contracts_range_is_422_with_the_range() -> None:
    """Issue 20, item 3: refused at the door, before anything reaches the record log."""
    answer = judge_body(
        body_of(capture(occurred_at="9999-12-31T23:40:00Z"), capture(event_id="ok")), ACME
    )
    assert answer.status == 422
    [error] = answer.errors
    assert error["index"] == 0
    assert "outside the contract's time range" in error["reasons"][0]
