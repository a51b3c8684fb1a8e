"""When a failed delivery is tried again: the Standard Webhooks schedule and Retry-After.

The specification's schedule (https://www.standardwebhooks.com/): the first attempt at
once, then retries 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure. After
the last one fails the alert goes to the dead-letter topic. The schedule is a parameter
(tests run a compressed one); times are seconds since the epoch, passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime

STANDARD_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
# A Retry-After longer than this is taken as this: one receiver must not park an alert
# for days (the schedule's own longest wait).
MAX_RETRY_AFTER = 36000.0


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """``delays[i]`` is the wait before attempt ``i`` (0-based); attempt 0 is the first."""

    delays: tuple[float, ...] = STANDARD_SCHEDULE

    def __post_init__(self) -> None:
        if not self.delays or any(d < 0 for d in self.delays):
            raise ValueError(f"a retry schedule is non-negative delays, got {self.delays}")

    @classmethod
    def parse(cls, text: str) -> RetrySchedule:
        """``"0,5,300"``: seconds, comma-separated (``LEADLEDGER_ALERT_RETRY_SCHEDULE``)."""
        return cls(tuple(float(part) for part in text.split(",") if part.strip()))

    @property
    def attempts(self) -> int:
        return len(self.delays)

    def next_attempt_at(
        self, attempts_made: int, failed_at: float, retry_after: float | None = None
    ) -> float | None:
        """When to try again after ``attempts_made`` attempts, the last failing at
        ``failed_at``; ``None`` when the schedule is spent (dead-letter it). A receiver's
        Retry-After is honoured: never sooner than it asks, never sooner than the
        schedule says."""
        if attempts_made >= self.attempts:
            return None
        wait = self.delays[attempts_made]
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        return failed_at + wait


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)
