"""Each message counted once (``streams/delivery/tally.py``, issue 20 item 2)."""

from __future__ import annotations

from streams.delivery import tally
from streams.runtime import Counters


def balance(counters: Counters) -> tuple[int, int, int]:
    return counters.received, counters.processed, counters.rejected


def test_a_message_rejected_twice_is_counted_once() -> None:
    counters = Counters()
    with tally.message():
        tally.received(counters)
        tally.rejected(counters)  # the rejection whose send then failed
        tally.rejected(counters)  # the agent loop's last-resort rejection
    assert balance(counters) == (1, 0, 1)


def test_a_message_processed_then_rejected_is_counted_rejected() -> None:
    counters = Counters()
    with tally.message():
        tally.received(counters)
        tally.duplicate(counters)
        tally.processed(counters)
        tally.rejected(counters)  # its record-log copy was refused on delivery
        tally.processed(counters)  # nothing moves it back
    assert balance(counters) == (1, 0, 1)


def test_undo_takes_back_one_message_and_leaves_the_others() -> None:
    counters = Counters()
    with tally.message() as first:
        tally.received(counters)
        tally.duplicate(counters)
        tally.processed(counters)
    with tally.message():
        tally.received(counters)
        tally.rejected(counters)
    tally.undo(counters, first)
    assert balance(counters) == (1, 0, 1)
    assert counters.duplicates == 0


def test_outside_a_scope_each_call_counts() -> None:
    counters = Counters()
    tally.received(counters)
    tally.rejected(counters)
    tally.rejected(counters)
    assert balance(counters) == (1, 0, 2)
    assert tally.current() is None
