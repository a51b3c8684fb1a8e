"""The Standard Webhooks retry schedule, and Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from projections.alerts.retry import STANDARD_SCHEDULE, RetrySchedule, parse_retry_after


def test_the_standard_schedule_is_the_specifications() -> None:
    # Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    assert STANDARD_SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    schedule = RetrySchedule()
    waits = [schedule.next_attempt_at(n, 1000.0) for n in range(1, 8)]
    assert waits == [1000.0 + d for d in STANDARD_SCHEDULE[1:]]


def test_after_the_last_attempt_there_is_none() -> None:
    assert RetrySchedule().next_attempt_at(8, 1000.0) is None
    assert RetrySchedule((0, 0.1)).next_attempt_at(2, 0.0) is None


def test_retry_after_is_honoured_but_never_shortens_the_schedule() -> None:
    schedule = RetrySchedule((0, 5, 300))
    assert schedule.next_attempt_at(1, 0.0, retry_after=60) == 60
    assert schedule.next_attempt_at(2, 0.0, retry_after=60) == 300
    assert schedule.next_attempt_at(1, 0.0, retry_after=10**9) == 36000  # capped


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after("120", now) == 120
    later = datetime(2026, 11, 2, 9, 1, 30, tzinfo=UTC)
    assert parse_retry_after(format_datetime(later, usegmt=True), now) == 90
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def test_a_compressed_schedule_parses_from_the_environment_form() -> None:
    assert RetrySchedule.parse("0, 0.2,1").delays == (0, 0.2, 1)
    with pytest.raises(ValueError, match="non-negative"):
        RetrySchedule.parse("0,-1")
