"""Business days: weekends, per-country holidays, the policy's own dates, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from projections.calendar import add_business_days, is_business_day
from projections.policy import CalendarPolicy

PLAIN = CalendarPolicy()


def test_friday_plus_one_is_monday_same_time() -> None:
    friday = datetime(2026, 11, 6, 15, 30, tzinfo=UTC)
    assert add_business_days(friday, 1, PLAIN) == datetime(2026, 11, 9, 15, 30, tzinfo=UTC)


def test_saturday_counts_from_monday() -> None:
    saturday = datetime(2026, 11, 7, 10, tzinfo=UTC)
    assert add_business_days(saturday, 1, PLAIN) == datetime(2026, 11, 9, 10, tzinfo=UTC)


def test_sixty_business_days_is_twelve_weeks_without_holidays() -> None:
    monday = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert add_business_days(monday, 60, PLAIN) == datetime(2027, 1, 25, 9, tzinfo=UTC)


def test_country_holidays_are_skipped() -> None:
    us = CalendarPolicy(country="US")
    assert not is_business_day(date(2026, 12, 25), us)
    assert is_business_day(date(2026, 12, 25), PLAIN)
    christmas_eve = datetime(2026, 12, 24, 9, tzinfo=UTC)
    assert add_business_days(christmas_eve, 1, us) == datetime(2026, 12, 28, 9, tzinfo=UTC)


def test_policy_dates_are_skipped() -> None:
    with_day_off = CalendarPolicy(holidays=[date(2026, 11, 9)])
    friday = datetime(2026, 11, 6, 9, tzinfo=UTC)
    assert add_business_days(friday, 1, with_day_off) == datetime(2026, 11, 10, 9, tzinfo=UTC)


def test_time_zone_decides_the_local_day() -> None:
    # Friday 23:30 UTC is already Saturday in Berlin: one business day lands on Monday,
    # at 00:30 Berlin time, which is Sunday 23:30 UTC.
    berlin = CalendarPolicy(timezone="Europe/Berlin")
    late_friday = datetime(2026, 11, 6, 23, 30, tzinfo=UTC)
    assert add_business_days(late_friday, 1, berlin) == datetime(2026, 11, 8, 23, 30, tzinfo=UTC)
