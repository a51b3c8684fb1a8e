"""The contract's time range: what a publisher states is inside [2000, 2100), and the
door says why when it is not; the system's own times and the record log are not held
to it (issue 20, item 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.agreement_events import AgreementRenewed, AgreementTerminated, Terms
from schemas.codec import DecodeError, decode, encode
from schemas.events import parse_event, parse_event_json, time_problem
from schemas.lead_events import LeadActivity
from schemas.system_events import DeadlineDue, EscalationRaised
from schemas.times import EARLIEST, LATEST, MAX_TERM_DAYS, MAX_TERM_HOURS, MAX_TERM_MONTHS

TICK = timedelta(microseconds=1)
OUT_OF_RANGE = "outside the contract's time range"


def activity(occurred_at: Any) -> dict[str, Any]:
    return {
        "event_id": "e1",
        "type": "LeadActivity",
        "subject": "L1",
        "occurred_at": occurred_at,
        "source": "crm",
        "data": {"activity": "web_visit"},
    }


@pytest.mark.parametrize("moment", [EARLIEST, LATEST - TICK, datetime(2026, 11, 2, tzinfo=UTC)])
def test_times_inside_the_range_are_accepted_to_the_microsecond(moment: datetime) -> None:
    event = parse_event(activity(moment))
    assert event.occurred_at == moment
    assert decode(encode(event)) == event


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:40:00Z",  # the probe's poison: overflowed a clock's due time
        "2100-01-01T00:00:00Z",  # the upper bound is exclusive
        "1999-12-31T23:59:59.999999Z",
        "0001-01-01T00:00:00Z",  # once fired clocks due in year 1
    ],
)
def test_times_outside_the_range_are_refused_with_the_range_named(moment: str) -> None:
    with pytest.raises(ValidationError, match=OUT_OF_RANGE) as refused:
        parse_event(activity(moment))
    assert "2000-01-01T00:00:00Z (inclusive) to 2100-01-01T00:00:00Z (exclusive)" in str(
        refused.value
    )


def test_the_range_is_judged_in_utc() -> None:
    inside = parse_event(activity("2100-01-01T00:59:00+01:00"))
    assert inside.occurred_at == LATEST - timedelta(minutes=1)
    with pytest.raises(ValidationError, match=OUT_OF_RANGE):
        parse_event(activity("2000-01-01T00:59:00+01:00"))


def test_a_time_that_cannot_be_taken_to_utc_is_a_validation_error_not_an_overflow() -> None:
    with pytest.raises(ValidationError, match="outside years 1-9999"):
        parse_event(activity("9999-12-31T23:59:59-23:59"))
    with pytest.raises(ValidationError, match="outside years 1-9999"):
        parse_event(activity("0001-01-01T00:00:00+23:59"), as_recorded=True)


def test_the_door_decoder_refuses_what_the_record_log_reader_keeps() -> None:
    poison = LeadActivity.model_validate(
        activity("9999-12-31T23:40:00Z"), context={"as_recorded": True}
    )
    payload = encode(poison)
    with pytest.raises(DecodeError, match=OUT_OF_RANGE):
        decode(payload)
    kept = decode(payload, as_recorded=True)
    assert kept == poison
    assert OUT_OF_RANGE in (time_problem(kept) or "")
    line = poison.model_dump_json()
    with pytest.raises(ValidationError):
        parse_event_json(line)
    assert parse_event_json(line, as_recorded=True) == poison


def terms(**changes: Any) -> dict[str, Any]:
    return {"effective_from": "2026-01-05T09:00:00Z", **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"effective_from": "9999-01-01T00:00:00Z"},
        {"expires_at": "2100-01-01T00:00:00Z"},
        {"privacy": {"retention_days": MAX_TERM_DAYS + 1}},
        {"privacy": {"erasure_within_days": 10**10}},
        {"termination": {"notice_days": MAX_TERM_DAYS + 1}},
        {
            "revenue_share": {
                "model": "flat",
                "rate": 1,
                "currency": "EUR",
                "payable_within_days": 10**12,
            }
        },
        {"disputes": {"step_days": MAX_TERM_DAYS + 1}},
        {"response": {"accept_within_hours": MAX_TERM_HOURS + 1}},
        {"review_every_months": MAX_TERM_MONTHS + 1},
    ],
)
def test_agreement_times_and_terms_are_bounded(changes: dict[str, Any]) -> None:
    """A term of 10**10 days overflows a due time as surely as a year-9999 event."""
    with pytest.raises(ValidationError):
        Terms.model_validate(terms(**changes))


def test_the_longest_terms_are_accepted() -> None:
    longest = Terms.model_validate(
        terms(
            privacy={"retention_days": MAX_TERM_DAYS, "erasure_within_days": MAX_TERM_DAYS},
            response={"accept_within_hours": MAX_TERM_HOURS},
            review_every_months=MAX_TERM_MONTHS,
        )
    )
    assert longest.privacy.retention_days == MAX_TERM_DAYS


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (
            {"type": "AgreementRenewed", "data": {"expires_at": "2100-06-01T00:00:00Z"}},
            "data.expires_at",
        ),
        (
            {
                "type": "AgreementTerminated",
                "data": {"partner_id": "p", "reason": "r", "effective_at": "1990-01-01T00:00:00Z"},
            },
            "data.effective_at",
        ),
    ],
)
def test_every_time_an_agreement_states_is_held_to_the_range(
    event: dict[str, Any], field: str
) -> None:
    body = {
        "event_id": "a1",
        "subject": "AG1",
        "occurred_at": "2026-01-05T09:00:00Z",
        "source": "p",
    } | event
    with pytest.raises(ValidationError, match=OUT_OF_RANGE):
        parse_event(body)
    recorded = parse_event(body, as_recorded=True)
    assert isinstance(recorded, AgreementRenewed | AgreementTerminated)
    assert (time_problem(recorded) or "").startswith(field)


def test_the_systems_own_times_may_pass_the_upper_bound() -> None:
    """A clock started on 2099-12-31 is due in 2100: its escalation and its due message
    carry that time, and are still valid events."""
    due = LATEST + timedelta(days=2)
    escalation = EscalationRaised.model_validate(
        {
            "event_id": "x",
            "subject": "L1",
            "occurred_at": due,
            "source": "leadledger",
            "data": {"escalation_id": "x", "rule": "MQL_NOT_ACCEPTED", "due_at": due, "notify": []},
        }
    )
    assert decode(encode(escalation)) == escalation
    assert time_problem(escalation) is None
    tick = DeadlineDue.model_validate(
        {
            "event_id": "d",
            "subject": "L1",
            "occurred_at": due,
            "source": "leadledger",
            "data": {"due_at": due, "aggregate": "lead"},
        }
    )
    assert decode(encode(tick)) == tick
