"""Only a finished handling's acknowledgement lets Faust commit past a message.

Faust also acknowledges a message it skips when a rebalance changed the consumer
generation; before the guard, the commit at revocation could pass such a message and a
kill -9 right after lost it (the fault harness's crash scenario).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from faust.transport.consumer import Consumer

from streams.delivery import ack_guard, commit_guard
from tests.support.fake_client import FakeClientThread


@dataclass(eq=False)
class FakeMessage:
    topic: str
    partition: int
    offset: int
    acked: bool = False

    @property
    def tp(self) -> tuple[str, int]:
        return (self.topic, self.partition)


@dataclass
class Topics:
    acking: set[str]

    def acks_enabled_for(self, topic: str) -> bool:
        return topic in self.acking


@dataclass
class App:
    topics: Topics


@dataclass
class FakeConsumer:
    """The attributes Faust's ``Consumer.ack`` reads and writes."""

    app: App
    _committed_offset: dict[Any, int | None] = field(default_factory=lambda: defaultdict(None))
    _acked_index: dict[Any, set[int]] = field(default_factory=lambda: defaultdict(set))
    _acked: dict[Any, list[int]] = field(default_factory=lambda: defaultdict(list))
    _n_acked: int = 0
    _unacked_messages: set[Any] = field(default_factory=set)
    _waiting_for_ack: Any = None


def _ack(consumer: FakeConsumer, message: FakeMessage) -> bool:
    """Faust's ``Consumer.ack`` (as wrapped) on the stand-ins."""
    faust_consumer: Any = Consumer
    return bool(faust_consumer.ack(consumer, message))


def _consumer() -> FakeConsumer:
    consumer = FakeConsumer(App(Topics({"ns.leads"})))
    consumer._committed_offset = defaultdict(lambda: None)
    return consumer


def test_a_skipped_message_is_forgotten_without_its_offset_becoming_committable() -> None:
    ack_guard.install()
    consumer, skipped = _consumer(), FakeMessage("ns.leads", 5, 178)
    consumer._unacked_messages.add(skipped)
    assert _ack(consumer, skipped) is False
    assert skipped.acked  # Faust will not ack it again
    assert skipped not in consumer._unacked_messages  # no rebalance waits for it
    assert consumer._acked[skipped.tp] == []  # but nothing lets a commit pass it


def test_a_handled_message_counts_as_before() -> None:
    ack_guard.install()
    consumer, handled = _consumer(), FakeMessage("ns.leads", 5, 178)
    consumer._unacked_messages.add(handled)
    ack_guard.mark_handled(handled)
    assert _ack(consumer, handled) is True
    assert consumer._acked[handled.tp] == [178]
    assert handled not in consumer._unacked_messages


def test_topics_without_acks_are_left_to_faust() -> None:
    ack_guard.install()
    consumer = _consumer()
    changelog = FakeMessage("ns-leads-changelog", 0, 3)
    assert _ack(consumer, changelog) is False  # Faust's own answer: acks off
    assert changelog.acked


def test_installing_twice_wraps_once() -> None:
    ack_guard.install()
    wrapped = Consumer.ack
    ack_guard.install()
    assert Consumer.ack is wrapped


@dataclass
class SeekingConsumer:
    held: set[Any]
    _thread: FakeClientThread = field(default_factory=FakeClientThread)

    def assignment(self) -> set[Any]:
        return self.held


async def test_a_forgotten_message_rewinds_its_partition_to_it() -> None:
    ack_guard.install()
    commit_guard.forget([("ns.leads", 5)])
    await ack_guard.rewind_forgotten(SeekingConsumer(held=set()), now=0.0)  # leftovers
    consumer = _consumer()
    for offset in (181, 179, 180):
        _ack(consumer, FakeMessage("ns.leads", 5, offset))
    _ack(consumer, FakeMessage("ns.leads", 4, 7))  # a partition no longer held
    seeking = SeekingConsumer(held={("ns.leads", 5)})
    assert await ack_guard.rewind_forgotten(seeking, now=100.0) == {("ns.leads", 5): 179}
    assert seeking._thread.sought == [(("ns.leads", 5), 179)]  # in the client's thread
    assert await ack_guard.rewind_forgotten(seeking, now=100.5) == {}  # done once


async def test_no_second_rewind_while_one_is_bringing_its_messages() -> None:
    ack_guard.install()
    commit_guard.watch({"ns.leads"})
    commit_guard.forget([("ns.leads", 5)])
    await ack_guard.rewind_forgotten(SeekingConsumer(held=set()), now=0.0)  # leftovers
    seeking = SeekingConsumer(held={("ns.leads", 5)})
    ack_guard.read_again_from(("ns.leads", 5), 40)
    assert await ack_guard.rewind_forgotten(seeking, now=100.0) == {("ns.leads", 5): 40}
    # Messages queued past 40 arrive and ask again: the rewind is still under way.
    ack_guard.read_again_from(("ns.leads", 5), 40)
    assert await ack_guard.rewind_forgotten(seeking, now=101.0) == {}
    # 40 arrived: a later hole may be read again at once.
    assert commit_guard.admit(("ns.leads", 5), 40) is None
    ack_guard.read_again_from(("ns.leads", 5), 41)
    assert await ack_guard.rewind_forgotten(seeking, now=101.5) == {("ns.leads", 5): 41}
    # A rewind whose target never came is given up after a while and asked for again.
    ack_guard.read_again_from(("ns.leads", 5), 41)
    assert await ack_guard.rewind_forgotten(seeking, now=110.0) == {("ns.leads", 5): 41}
    commit_guard.forget([("ns.leads", 5)])
