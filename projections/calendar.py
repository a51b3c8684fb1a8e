"""Business days: Monday to Friday, minus the policy's holidays, in the policy's zone.

Holidays come from the ``holidays`` package (per country and subdivision) plus the
policy's own dates. N business days after a start is the same local wall-clock time on
the N-th business day after the start's local date; a start on a weekend or holiday
therefore counts from the next business day (Saturday + 1 = Monday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

from projections.policy import CalendarPolicy


@cache
def _country_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def is_business_day(day: date, calendar: CalendarPolicy) -> bool:
    if day.weekday() >= 5 or day in calendar.holidays:
        return False
    if calendar.country is None:
        return True
    return day not in _country_holidays(calendar.country, calendar.subdivision, day.year)


def add_business_days(start: datetime, days: int, calendar: CalendarPolicy) -> datetime:
    zone = ZoneInfo(calendar.timezone)
    local = start.astimezone(zone)
    day = _business_day_after(
        local.date(),
        days,
        timezone=calendar.timezone,
        country=calendar.country,
        subdivision=calendar.subdivision,
        holidays=tuple(calendar.holidays),
    )
    due = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)
    return due.astimezone(UTC)


@lru_cache(maxsize=4096)
def _business_day_after(
    start: date,
    days: int,
    *,
    timezone: str,
    country: str | None,
    subdivision: str | None,
    holidays: tuple[date, ...],
) -> date:
    """The ``days``-th business day after ``start``. Cached on the calendar's values (a
    pydantic policy is not hashable): 60 business days walk ~84 dates, ~200 us, and
    the leads of one day share the answer."""
    calendar = CalendarPolicy(
        timezone=timezone, country=country, subdivision=subdivision, holidays=list(holidays)
    )
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day, calendar):
            counted += 1
    return day
