"""The size limits the docs state are the code's (docs/partners.md "The contract",
docs/reliability.md "Sizes", ``schemas/limits.py``, ``streams/delivery/rejections.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from schemas.codec import DecodeError, decode, encode
from schemas.lead_events import LeadCapturedData, LeadScoreAdjustedData, Person
from schemas.limits import MAX_EMAIL_CHARS, MAX_EVENT_BYTES, MAX_ID_CHARS, MAX_TEXT_CHARS
from schemas.times import AS_RECORDED
from streams.delivery.rejections import (
    MAX_ORIGINAL_BYTES,
    MAX_REASON_CHARS,
    MAX_REASONS,
    ORIGINAL_PREFIX_BYTES,
)
from tests.support.leads import Lead

DOCS = Path(__file__).parents[2] / "docs"


def _section(page: str, start: str, end: str) -> str:
    text = (DOCS / page).read_text()
    return text[text.index(start) : text.index(end, text.index(start))]


def _numbers(text: str) -> set[int]:
    return {int(n.replace(",", "")) for n in re.findall(r"\b\d[\d,]*\d\b", text)}


def test_the_contract_states_the_limits_of_the_code() -> None:
    table = _section("partners.md", "**Sizes.**", "The person in a `LeadCaptured`")
    stated = _numbers(table)
    code = {MAX_EVENT_BYTES, MAX_ID_CHARS, MAX_EMAIL_CHARS, MAX_TEXT_CHARS}
    assert code | {MAX_ORIGINAL_BYTES, ORIGINAL_PREFIX_BYTES} <= stated


def test_the_reliability_table_states_the_limits_of_the_code() -> None:
    table = _section("reliability.md", "| limit | checked |", "Each message is counted once")
    code = {MAX_EVENT_BYTES, MAX_ID_CHARS, MAX_EMAIL_CHARS, MAX_TEXT_CHARS}
    code |= {MAX_ORIGINAL_BYTES, ORIGINAL_PREFIX_BYTES, MAX_REASON_CHARS, MAX_REASONS}
    assert code <= _numbers(table)


VALID: dict[type[BaseModel], dict[str, Any]] = {
    Person: {"email": "a@example.com"},
    LeadCapturedData: {"person": {"email": "a@example.com"}},
    LeadScoreAdjustedData: {"points": 1, "reason": "r"},
}


@pytest.mark.parametrize(
    ("model", "name", "limit", "fill"),
    [
        (Person, "email", MAX_EMAIL_CHARS, lambda n: "a" * (n - 12) + "@example.com"),
        (Person, "company", MAX_ID_CHARS, lambda n: "c" * n),
        (LeadCapturedData, "industry", MAX_ID_CHARS, lambda n: "i" * n),
        (LeadScoreAdjustedData, "reason", MAX_TEXT_CHARS, lambda n: "r" * n),
    ],
)
def test_the_fields_the_contract_names_carry_those_limits(
    model: type[BaseModel], name: str, limit: int, fill: Callable[[int], str]
) -> None:
    valid = VALID[model]
    model.model_validate({**valid, name: fill(limit)})
    with pytest.raises(ValidationError, match="over the contract's limit"):
        model.model_validate({**valid, name: fill(limit + 1)})


def test_the_record_log_reads_what_was_recorded_before_the_limits() -> None:
    """Like the time range: a bound is enforced where events enter, not on history."""
    long = "c" * (MAX_ID_CHARS + 1)
    raw = {"email": "a@example.com", "company": long}
    with pytest.raises(ValidationError):
        Person.model_validate(raw)
    assert Person.model_validate(raw, context={AS_RECORDED: True}).company == long


def test_decode_refuses_a_field_over_its_limit_but_not_as_recorded() -> None:
    event = Lead("L-long-industry").captured()
    long = event.model_copy(
        update={"data": event.data.model_copy(update={"industry": "i" * (MAX_ID_CHARS + 1)})}
    )
    with pytest.raises(DecodeError, match=f"over the contract's limit of {MAX_ID_CHARS}"):
        decode(encode(long))
    assert decode(encode(long), as_recorded=True) == long
