"""The contract's times: UTC, and for what a publisher says, inside one fixed range.

Every time a partner publishes (``occurred_at``, an agreement's ``effective_from``,
``expires_at``, a termination's ``effective_at``) must fall in
[:data:`EARLIEST`, :data:`LATEST`). The bounds are fixed, never relative to the wall
clock, because an auditor's replay, years later, must decide exactly what the live
worker decided on the day: "not more than a year ahead of now" would admit an event
live and refuse it in replay. Why these two:

- 2000-01-01: before any lead, agreement or CRM record this system can be asked about,
  and far enough after year 1 that no clock runs on a time nobody meant (a lead dated
  0001-01-01 fired clocks due in year 1).
- 2100-01-01: far beyond any real business date, and far enough below datetime's
  year 9999 that every clock stays representable: a due time is an event time plus at
  most :data:`MAX_TERM_DAYS` (or the policy's clocks, hours and business days), so it
  is before 2200. A ``LeadActivity`` dated 9999-12-31 once overflowed a clock's due
  time and broke every replay past it.

The durations in an agreement's terms are bounded for the same reason: a
``retention_days`` of 10**10 would overflow as surely as a year-9999 event. On the
record log they are read as recorded too; a fold that then raises is skipped by replay.

The record log keeps what was recorded before these bounds existed: reading it passes
``context={AS_RECORDED: True}``, which accepts any time, so the log still reads and
its chain still verifies; replay folds such a record as the worker folded it, and
skips, with a counted reason, only one whose fold raises (``projections.replay``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, ValidationInfo

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""The contract's range of event times: ``EARLIEST <= t < LATEST``."""

MAX_TERM_DAYS = 36_500  # 100 years: any notice, retention or payment term
MAX_TERM_HOURS = MAX_TERM_DAYS * 24
MAX_TERM_MONTHS = 1_200

AS_RECORDED = "as_recorded"
"""Validation context key: read what the record log holds, times outside the range
included (the log is history; the door is where the range is enforced)."""


def range_problem(moment: datetime) -> str | None:
    """Why ``moment`` (aware) is outside the contract's range, or None."""
    if EARLIEST <= moment < LATEST:
        return None
    return (
        f"{iso(moment)} is outside the contract's time range "
        f"{iso(EARLIEST)} (inclusive) to {iso(LATEST)} (exclusive)"
    )


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _to_utc(value: datetime) -> datetime:
    # A time whose UTC form leaves years 1-9999 (9999-12-31T23:59-23:59) cannot be
    # represented; OverflowError is not a validation error, so say it as one.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("outside years 1-9999 once taken to UTC") from None


def _in_range(value: datetime, info: ValidationInfo) -> datetime:
    if info.context and info.context.get(AS_RECORDED):
        return value
    if (problem := range_problem(value)) is not None:
        raise ValueError(problem)
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An ISO-8601 timestamp with an offset, normalised to UTC (naive times are refused).
The system's own times (due times, ``recorded_at``) are of this type: unbounded."""

EventTime = Annotated[UtcDatetime, AfterValidator(_in_range)]
"""A time a publisher states: UTC, inside [EARLIEST, LATEST)."""


def _at_most(limit: int, unit: str) -> AfterValidator:
    """A term's bound, enforced at the door and not on the record log (as the range)."""

    def check(value: int, info: ValidationInfo) -> int:
        if value > limit and not (info.context and info.context.get(AS_RECORDED)):
            raise ValueError(f"{value} {unit} is over the contract's bound of {limit} {unit}")
        return value

    return AfterValidator(check)


TermDays = Annotated[int, _at_most(MAX_TERM_DAYS, "days")]
TermHours = Annotated[int, _at_most(MAX_TERM_HOURS, "hours")]
TermMonths = Annotated[int, _at_most(MAX_TERM_MONTHS, "months")]
