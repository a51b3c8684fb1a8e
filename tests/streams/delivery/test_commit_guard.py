"""A commit passes only offsets that were handled or that the broker showed do not exist.

The regression: Faust's fetch loop dropped the rest of a fetched batch (offsets 95-125
of one partition), took the jump to 126 for a compacted gap, and committed past the
dropped messages; the fault harness found them neither recorded nor rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from streams.delivery import commit_guard
from tests.support.fake_client import FakeClientThread

TP = ("ns.leads", 2)


@pytest.fixture(autouse=True)
def _clean_ledger() -> Iterator[None]:
    commit_guard.watch({"ns.leads"})
    commit_guard.forget([TP])
    yield
    commit_guard.forget([TP])


@dataclass
class FakeConsumer:
    """The attributes of Faust's consumer the guard reads and writes."""

    committed: int | None
    _acked: dict[Any, list[int]] = field(default_factory=lambda: defaultdict(list))
    _acked_index: dict[Any, set[int]] = field(default_factory=lambda: defaultdict(set))
    _thread: FakeClientThread = field(default_factory=FakeClientThread)

    @property
    def sought(self) -> list[tuple[Any, int]]:
        return self._thread.sought

    @property
    def _committed_offset(self) -> dict[Any, int | None]:
        return {TP: self.committed}

    def assignment(self) -> set[Any]:
        return {TP}


def _handled(*offsets: int) -> None:
    for offset in offsets:
        commit_guard.note_handled(TP, offset)


def test_a_dropped_batch_is_not_committed_past() -> None:
    consumer = FakeConsumer(committed=93)
    commit_guard.note_fetched(TP, 93, 126, list(range(93, 126)))  # all of them exist
    commit_guard.note_fetched(TP, 126, 131, list(range(126, 131)))
    _handled(93, 94, *range(126, 131))  # 95-125 dropped by Faust, never handled
    consumer._acked[TP] = [93, 94, *range(126, 131)]
    consumer._acked_index[TP] = set(consumer._acked[TP])
    assert commit_guard.next_commit(consumer, TP) == 95  # Faust's gap logic said 131
    # Faust's acked list is trimmed below the commit, as Faust's own _new_offset does.
    assert consumer._acked[TP] == list(range(126, 131))
    assert consumer._acked_index[TP] == set(range(126, 131))
    consumer.committed = 95
    _handled(*range(95, 126))  # read again after a rewind
    assert commit_guard.next_commit(consumer, TP) == 131


def test_a_hole_at_the_head_commits_nothing() -> None:
    consumer = FakeConsumer(committed=100)
    commit_guard.note_fetched(TP, 100, 103, [100, 101, 102])
    _handled(101, 102)  # Faust passes a one-offset hole at the head; the guard does not
    assert commit_guard.next_commit(consumer, TP) is None


def test_offsets_the_broker_skipped_are_committed_past() -> None:
    consumer = FakeConsumer(committed=100)
    # A transaction marker at 102 and one at the end (105): never returned, never handled.
    commit_guard.note_fetched(TP, 100, 106, [100, 101, 103, 104])
    _handled(100, 101, 103, 104)
    assert commit_guard.next_commit(consumer, TP) == 105


def test_a_seek_that_lands_further_on_shows_the_offsets_between_are_gone() -> None:
    consumer = FakeConsumer(committed=40)
    commit_guard.note_sought(TP, 40)  # deleted below 57: the client resets to 57
    commit_guard.note_fetched(TP, 57, 60, [57, 58, 59])
    _handled(57, 58, 59)
    assert commit_guard.next_commit(consumer, TP) == 60


def test_a_batch_not_starting_where_the_last_ended_shows_a_gap_only_if_noted() -> None:
    consumer = FakeConsumer(committed=10)
    commit_guard.note_fetched(TP, 10, 12, [10, 11])
    commit_guard.note_unreliable(TP)  # a batch 12-19 handed out across a seek: unread
    commit_guard.note_fetched(TP, 20, 22, [20, 21])
    _handled(10, 11, 20, 21)
    assert commit_guard.next_commit(consumer, TP) == 12  # 12-19 are not taken as gone


def test_nothing_committed_yet_counts_from_where_reading_began() -> None:
    consumer = FakeConsumer(committed=None)
    commit_guard.note_fetched(TP, 0, 4, [0, 1, 2, 3])
    _handled(2, 3)
    assert commit_guard.next_commit(consumer, TP) is None
    _handled(0, 1)
    assert commit_guard.next_commit(consumer, TP) == 4


def test_nothing_new_handled_commits_nothing() -> None:
    consumer = FakeConsumer(committed=5)
    assert commit_guard.next_commit(consumer, TP) is None
    commit_guard.note_fetched(TP, 5, 6, [5])
    _handled(4)  # a duplicate from before the commit
    assert commit_guard.next_commit(consumer, TP) is None


async def test_a_hole_standing_two_ticks_is_read_again_but_not_over_and_over() -> None:
    consumer = FakeConsumer(committed=93)
    commit_guard.note_fetched(TP, 93, 131, list(range(93, 131)))
    _handled(93, 94, 126)
    assert commit_guard.head_hole(consumer, TP) == 95
    assert await commit_guard.rewind_holes(consumer, now=0.0) == {}  # maybe in flight
    assert await commit_guard.rewind_holes(consumer, now=1.0) == {TP: 95}
    assert await commit_guard.rewind_holes(consumer, now=2.0) == {}
    assert await commit_guard.rewind_holes(consumer, now=3.0) == {}  # re-reading: let it
    assert await commit_guard.rewind_holes(consumer, now=12.0) == {TP: 95}  # still there
    assert consumer.sought == [(TP, 95), (TP, 95)]
    _handled(*range(95, 126))
    assert commit_guard.head_hole(consumer, TP) is None
    assert commit_guard.next_commit(consumer, TP) == 127


async def test_a_message_in_flight_is_not_a_hole() -> None:
    consumer = FakeConsumer(committed=50)
    commit_guard.note_fetched(TP, 50, 60, list(range(50, 60)))
    _handled(50, 51)  # 52 is being handled; nothing after it can be done yet
    assert commit_guard.head_hole(consumer, TP) is None
    assert await commit_guard.rewind_holes(consumer, now=0.0) == {}
    assert await commit_guard.rewind_holes(consumer, now=1.0) == {}


def test_a_revoked_partition_is_forgotten() -> None:
    consumer = FakeConsumer(committed=7)
    commit_guard.note_fetched(TP, 7, 9, [7, 8])
    _handled(8)
    commit_guard.forget([TP])
    assert commit_guard.head_hole(consumer, TP) is None


def test_messages_are_admitted_in_order_and_never_past_a_hole() -> None:
    commit_guard.note_fetched(TP, 10, 16, list(range(10, 16)))
    assert commit_guard.admit(TP, 10) is None
    assert commit_guard.admit(TP, 11) is None
    assert commit_guard.admit(TP, 14) == 12  # 12 and 13 exist and were dropped
    assert commit_guard.admit(TP, 15) == 12  # still past them
    assert commit_guard.admit(TP, 12) is None  # read again
    assert commit_guard.admit(TP, 13) is None
    assert commit_guard.admit(TP, 14) is None
    assert commit_guard.admit(TP, 11) is None  # an earlier one read again: a duplicate


def test_a_message_past_offsets_the_broker_skipped_is_admitted() -> None:
    commit_guard.note_fetched(TP, 10, 16, [10, 11, 14, 15])  # 12, 13: markers
    assert commit_guard.admit(TP, 10) is None
    assert commit_guard.admit(TP, 11) is None
    assert commit_guard.admit(TP, 14) is None


def test_the_first_message_of_a_partition_starts_from_the_commit() -> None:
    @dataclass
    class FakeApp:
        consumer: FakeConsumer

    commit_guard._APP[:] = [FakeApp(FakeConsumer(committed=20))]
    try:
        commit_guard.note_fetched(TP, 20, 25, list(range(20, 25)))
        assert commit_guard.admit(TP, 22) == 20
        assert commit_guard.admit(TP, 20) is None
    finally:
        commit_guard._APP.clear()


@dataclass(eq=False)
class Message:
    topic: str
    partition: int
    offset: int

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass
class Event:
    message: Message
    acks: list[int]

    def ack(self) -> bool:
        self.acks.append(self.message.offset)
        return True


@dataclass
class Stream:
    offsets: list[int]
    acks: list[int] = field(default_factory=list)

    def noack(self) -> Stream:
        return self

    async def events(self) -> Any:
        for offset in self.offsets:
            yield Event(Message(TP[0], TP[1], offset), self.acks)


async def test_the_agent_loop_skips_what_lies_past_a_hole_and_asks_to_read_again() -> None:
    from streams.delivery.ack_guard import rewind_forgotten
    from streams.delivery.agent_loop import finished_events

    commit_guard.note_fetched(TP, 0, 6, list(range(6)))
    stream = Stream([0, 1, 4, 5])  # Faust dropped 2 and 3
    handled = [event.message.offset async for event in finished_events(stream)]
    assert handled == [0, 1]
    assert stream.acks == [0, 1, 4, 5]  # 4 and 5 acknowledged unhandled: forgotten
    consumer = FakeConsumer(committed=None)
    assert await rewind_forgotten(consumer, now=0.0) == {TP: 2}
    assert consumer.sought == [(TP, 2)]


def test_faust_keeps_no_read_offset_for_guarded_partitions() -> None:
    """Faust's fetch loop drops a message below its read offset: after a rewind it
    dropped the messages the rewind brought, while it still went through an older batch."""
    offsets = commit_guard._ReadOffsets({TP: 130, ("ns.other", 0): 7})
    assert offsets[TP] is None  # every guarded message is delivered; admit orders them
    assert offsets[("ns.other", 0)] == 7
    assert offsets[("ns.other", 1)] is None  # as Faust's defaultdict(lambda: None)


async def test_a_tail_that_never_came_is_read_again_once_the_partition_stands_still() -> None:
    """CI, workers scenario (seed 890241): after the last rebalance offsets 248-252 of
    a partition never reached the agent, and no later message came to show the hole."""
    consumer = FakeConsumer(committed=248)
    consumer._thread.ends[TP] = 253
    assert await commit_guard.rewind_stalled_tails(consumer, now=0.0) == {}
    assert await commit_guard.rewind_stalled_tails(consumer, now=4.0) == {}  # patience
    assert await commit_guard.rewind_stalled_tails(consumer, now=5.0) == {TP: 248}
    assert await commit_guard.rewind_stalled_tails(consumer, now=7.0) == {}  # in flight
    assert await commit_guard.rewind_stalled_tails(consumer, now=15.0) == {TP: 248}  # again
    assert consumer.sought == [(TP, 248), (TP, 248)]


async def test_a_partition_that_moves_or_has_nothing_past_its_commit_is_left_alone() -> None:
    consumer = FakeConsumer(committed=100)
    consumer._thread.highwaters[TP] = 110  # the client's own figure: no broker asked
    assert await commit_guard.rewind_stalled_tails(consumer, now=0.0) == {}
    for second in range(1, 10):  # a long queue, handled one message a second
        commit_guard.admit(TP, 99 + second)
        _handled(99 + second)
        assert await commit_guard.rewind_stalled_tails(consumer, now=float(second)) == {}
    _handled(109)  # all handled, the commit not made yet: nothing unhandled
    assert await commit_guard.rewind_stalled_tails(consumer, now=30.0) == {}
    assert await commit_guard.rewind_stalled_tails(consumer, now=60.0) == {}
    idle = FakeConsumer(committed=110)
    idle._thread.ends[TP] = 110
    commit_guard.forget([TP])
    assert await commit_guard.rewind_stalled_tails(idle, now=0.0) == {}
    assert await commit_guard.rewind_stalled_tails(idle, now=60.0) == {}
    assert consumer.sought == idle.sought == []
