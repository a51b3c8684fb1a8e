"""``GET /escalations?since=``: any text is a time in the rows' form or a ValueError (a
400), never another exception (a 500)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.web.views import normalise_since


def test_a_time_with_an_offset_becomes_utc_z() -> None:
    assert normalise_since("2026-11-01T02:00:00+02:00") == "2026-11-01T00:00:00Z"
    assert normalise_since("2026-11-01T00:00:00Z") == "2026-11-01T00:00:00Z"
    assert normalise_since(None) == ""
    assert normalise_since("2000-01-01T00:00:00Z") == "2000-01-01T00:00:00Z"  # both ends
    assert normalise_since("2099-12-31T23:59:59.999999Z") == "2099-12-31T23:59:59.999999Z"


@pytest.mark.parametrize(
    ("since", "reason"),
    [
        ("9999-12-31T23:59:59-23:59", "outside years 1-9999"),
        ("0001-01-01T00:00:00+23:59", "outside years 1-9999"),
        ("2026-11-01T00:00:00", "needs an offset"),
        ("9999-12-31T23:59:59Z", "outside the contract's time range"),
        ("2100-01-01T00:00:00Z", "outside the contract's time range"),
        ("1999-12-31T23:59:59.999999Z", "outside the contract's time range"),
        ("yesterday", "Invalid isoformat"),
    ],
)
def test_times_it_cannot_compare_are_value_errors_that_say_why(since: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise_since(since)


@given(st.one_of(st.text(max_size=40), st.datetimes(timezones=st.timezones()).map(str)))
def test_no_text_raises_anything_but_value_error(since: str) -> None:
    try:
        compared_as = normalise_since(since)
    except ValueError:
        return
    assert compared_as == "" or compared_as.endswith("Z")
