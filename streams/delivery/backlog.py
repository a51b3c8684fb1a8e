"""Whether an input partition still holds events its agent has not applied yet.

The timer asks for a clock as soon as its due time has passed on the wall clock. With
backdated events (an import, a partner catching up, the tests) the event that stops
the clock may already be in the partition, fetched but not yet applied: a
``DeadlineDue`` sent now would fire the clock before it. So the timer leaves a
partition's clocks alone while that partition has a backlog, and asks again on a
later tick: a clock then fires only after every event the worker had fetched when it
decided, as replay (which fires clocks between events, on event time) does.
"""

from __future__ import annotations

from faust.types import TP

from streams.runtime import Runtime


def note_applied(rt: Runtime, topic: str, partition: int, offset: int) -> None:
    """The agent of ``topic`` has applied the message at ``offset`` (or rejected it)."""
    rt.applied_offsets[(topic, partition)] = offset


def has_backlog(rt: Runtime, topic: str, partition: int) -> bool:
    """True when the consumer has seen offsets past the last one the agent applied.

    Before the agent applied anything on the partition (a fresh start) there is no
    backlog to wait for: what it recovered was applied by an earlier run.
    """
    applied = rt.applied_offsets.get((topic, partition))
    if applied is None:
        return False
    highwater = rt.app.consumer.highwater(TP(topic, partition))
    return bool(highwater) and applied + 1 < highwater
