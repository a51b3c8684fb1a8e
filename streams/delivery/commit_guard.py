"""A commit passes only offsets that were handled or that do not exist on the broker.

Faust decides what to commit from its own bookkeeping, and that bookkeeping can pass
messages no agent ever handled:

* Its fetch loop (``Consumer.getmany``) stops iterating a fetched batch when flow
  control pauses or the generation changes, and throws the rest away; the client's
  position is already past them, so they are not fetched again. The next message read
  is further on, and ``Consumer._add_gap`` takes the jump for a compacted or
  transactional gap and marks every offset in it acknowledged. The fault harness's
  workers and crash scenarios lost 31 consecutive offsets of one partition that way
  (offsets 95-125: fetched, dropped, committed; seed 298340).
* ``Consumer._new_offset`` lets the first offset after the committed one go unacked
  (a one-offset hole at the head is taken for a transaction marker).

So the worker keeps its own ledger per partition of the agents' topics:

* *handled*: offsets whose handling finished (``streams/delivery/ack_guard.py`` reports them);
* *missing*: offsets the broker did not return when asked for them. The client
  fetches from its position, and a batch that starts after the position, or skips
  offsets inside it, shows those offsets are not there (transaction markers, compacted
  or deleted records). Observed where the client hands out fetched batches
  (``FetchResult.getall``, in the consumer's thread) and where it seeks.

For the agents' topics the commit offset comes from this ledger instead of Faust's
acked list and gap tree (``Consumer._new_offset`` and ``_add_gap`` are replaced): from
the committed offset on, over handled and missing offsets, up to the first that is
neither. A partition whose head stays such a hole while later offsets were handled is
read again from the hole (:func:`rewind_holes`, on a one-second timer): the handled
ones come again as duplicates the folds skip (at-least-once), the dropped ones are
handled at last. A partition with messages past its commit whose handling stands still
for seconds is read again from its first unhandled offset too
(:func:`rewind_stalled_tails`): a dropped tail has no later message to show the hole.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from typing import Any

from aiokafka.consumer.fetcher import Fetcher, FetchResult
from faust.transport.consumer import Consumer

from streams.observability import instruments

log = logging.getLogger(__name__)

_LOCK = threading.Lock()  # the ledger is written in the consumer's thread, read in the app's
_WATCHED: set[str] = set()  # topic names whose partitions are guarded (the agents' topics)
_HANDLED: defaultdict[Any, set[int]] = defaultdict(set)
_MISSING: defaultdict[Any, list[tuple[int, int]]] = defaultdict(list)  # [start, end) spans
_FIRST_FETCHED: dict[Any, int] = {}  # where reading began, when nothing was committed yet
_NEXT: dict[Any, int] = {}  # the client's position after the last batch it handed out
_SOUGHT: dict[Any, int] = {}  # a seek's target, until the next batch shows where it landed
# Seeks so far per partition: a batch handed out across one is not evidence.
_SEEKS: defaultdict[Any, int] = defaultdict(int)
_HOLE_SEEN: dict[Any, int] = {}  # the hole found by the previous timer tick
_REWOUND: dict[Any, tuple[int, float]] = {}  # the last hole read again, and when
_EXPECTED: dict[Any, int] = {}  # the next offset the partition's agent may handle
_IN_FLIGHT: dict[Any, tuple[int, float]] = {}  # a rewind's target and when, until it arrives
_PROGRESS: dict[Any, tuple[Any, float]] = {}  # a partition's handling progress, and since when
TAIL_STALL_SECONDS = 5.0
"""How long a partition with messages past its commit may show no handling progress at
all before it is read again from its first unhandled offset (:func:`rewind_stalled_tails`)."""
REWIND_PATIENCE_SECONDS = 5.0
"""How long a rewind is given to bring its target before another may be asked for: the
messages queued past a hole keep arriving after the seek, and each would ask again."""
_APP: list[Any] = []  # the app whose consumer's committed offsets start each partition
REREAD_AFTER_SECONDS = 10.0
"""A hole still there this long after it was read again is read again (Faust drops
re-read messages that arrive while it still iterates a batch fetched before the seek)."""


def _key(tp: Any) -> tuple[str, int]:
    # Faust's TP and aiokafka's TopicPartition are both (topic, partition) tuples.
    return (tp[0], tp[1])


def watch(topics: set[str]) -> None:
    """Guard the partitions of these topics (the topics the agents read)."""
    _WATCHED.update(topics)


def note_handled(tp: Any, offset: int) -> None:
    """The message at ``offset`` of ``tp`` was handled."""
    with _LOCK:
        _HANDLED[_key(tp)].add(offset)


def note_sought(tp: Any, offset: int) -> None:
    """The client was sent to ``offset``; the next batch shows what exists from there."""
    if tp[0] in _WATCHED:
        with _LOCK:
            key = _key(tp)
            _SOUGHT[key] = offset
            _SEEKS[key] += 1


def seeks(tp: Any) -> int:
    with _LOCK:
        return _SEEKS.get(_key(tp), 0)


def note_fetched(tp: Any, start: int, end: int, offsets: list[int]) -> None:
    """The client handed out ``offsets``, read from position ``start`` up to ``end``.

    Whatever lies between where the client was sent (or stood after the last batch)
    and ``start``, or between the offsets, or between the last one and ``end``, the
    broker did not return: it does not exist.
    """
    if tp[0] not in _WATCHED or not offsets:
        return
    key = _key(tp)
    with _LOCK:
        expected = _SOUGHT.pop(key, _NEXT.get(key))
        _FIRST_FETCHED.setdefault(key, start if expected is None else min(expected, start))
        spans = _MISSING[key]
        if expected is not None and expected < start:
            spans.append((expected, start))
        if end - start != len(offsets):
            previous = start
            for offset in offsets:
                if offset > previous:
                    spans.append((previous, offset))
                previous = offset + 1
            if end > previous:
                spans.append((previous, end))
        _NEXT[key] = end


def note_unreliable(tp: Any) -> None:
    """A batch was handed out that the ledger could not read: expect nothing of the next."""
    with _LOCK:
        _NEXT.pop(_key(tp), None)
        _SOUGHT.pop(_key(tp), None)


def first_unaccounted(tp: Any, base: int, upto: int) -> int | None:
    """The first offset in ``[base, upto)`` neither handled nor missing, if any."""
    key = _key(tp)
    with _LOCK:
        handled = _HANDLED.get(key, set())
        spans = sorted(_MISSING.get(key, ()))
        offset = base
        while offset < upto:
            if offset in handled:
                offset += 1
                continue
            skip = next((end for start, end in spans if start <= offset < end), None)
            if skip is None:
                return offset
            offset = skip
        return None


def _forget_below(tp: Any, offset: int) -> None:
    """Committed up to ``offset``: the ledger below it is no longer needed."""
    key = _key(tp)
    with _LOCK:
        handled = _HANDLED.get(key)
        if handled:
            handled.difference_update([o for o in handled if o < offset])
        if key in _MISSING:
            _MISSING[key] = [(s, e) for s, e in _MISSING[key] if e > offset]


def forget(tps: Any) -> None:
    """These partitions left this worker: their next owner starts from the commit."""
    with _LOCK:
        for tp in tps:
            key = _key(tp)
            for table in (
                _HANDLED,
                _MISSING,
                _FIRST_FETCHED,
                _NEXT,
                _SOUGHT,
                _HOLE_SEEN,
                _REWOUND,
                _EXPECTED,
                _IN_FLIGHT,
                _PROGRESS,
            ):
                table.pop(key, None)


def _base(consumer: Any, tp: Any) -> int | None:
    """Where the partition's uncommitted part begins."""
    committed = consumer._committed_offset.get(tp)
    if committed is not None:
        return int(committed)
    with _LOCK:
        return _FIRST_FETCHED.get(_key(tp))


def _uncommitted(consumer: Any, tp: Any) -> tuple[int, int] | None:
    """Where the uncommitted part begins and the highest offset handled in it, if any."""
    base = _base(consumer, tp)
    with _LOCK:
        handled = _HANDLED.get(_key(tp))
        highest = max(handled) if handled else None
    if base is None or highest is None or highest < base:
        return None
    return base, highest


def next_commit(consumer: Any, tp: Any) -> int | None:
    """The offset to commit ``tp`` at: from the commit on, over handled and missing
    offsets, up to the first that is neither (None: nothing new to commit).

    Faust's acked list is then trimmed below it, as Faust's own ``_new_offset`` does.
    """
    span = _uncommitted(consumer, tp)
    if span is None:
        return None
    base, highest = span
    hole = first_unaccounted(tp, base, highest + 1)
    offset = highest + 1 if hole is None else hole
    if offset <= base:
        return None
    acked = consumer._acked[tp]
    acked[:] = [o for o in acked if o >= offset]
    index = consumer._acked_index[tp]
    index.difference_update([o for o in index if o < offset])
    _forget_below(tp, offset)
    return offset


def admit(tp: Any, offset: int) -> int | None:
    """May the agent handle the message at ``offset`` now? None: yes; else the offset
    to read the partition again from, because messages before this one were dropped.

    A partition's messages are handled in offset order with no unexplained hole, so a
    lead's events are never folded out of order: a message past a hole would otherwise
    be handled before the dropped ones (seen in the crash scenario: a lead's later
    events rejected as for an unknown lead, its capture handled after them). Offsets
    at or before the expected one (read again after a rewind) are always handled;
    the folds skip what they already applied.
    """
    if tp is None or tp[0] not in _WATCHED:
        return None
    key = _key(tp)
    with _LOCK:
        expected = _EXPECTED.get(key)
    if expected is None and _APP:
        expected = _base(_APP[0].consumer, tp)
    # Only a message past the expected offset needs the ledger (the common case is not).
    if expected is not None and offset > expected:  # noqa: SIM102
        if first_unaccounted(tp, expected, offset) is not None:
            return expected  # past offsets that exist and were not handled
    with _LOCK:
        _EXPECTED[key] = offset + 1
        flight = _IN_FLIGHT.get(key)
        if flight is not None and offset <= flight[0]:
            del _IN_FLIGHT[key]  # the rewind brought its target
    return None


def rewind_in_flight(tp: Any, offset: int, now: float) -> bool:
    """A rewind to ``offset`` or before was made lately and its target has not come yet."""
    with _LOCK:
        flight = _IN_FLIGHT.get(_key(tp))
    return flight is not None and flight[0] <= offset and now - flight[1] < REWIND_PATIENCE_SECONDS


async def seek(consumer: Any, tp: Any, offset: int, now: float) -> None:
    """Send the partition back to ``offset``, in the Kafka client's own thread.

    Faust's ``Consumer.seek`` calls the client from the app's thread while the client's
    thread may be handing out a batch of the same partition: aiokafka then raised
    ``KeyError`` in ``fetched_records`` and the worker crashed (the 100,000-event
    workers scenario, after many rewinds).
    """
    thread = consumer._thread
    client = thread._ensure_consumer()
    await thread.call_thread(client.seek, tp, offset)
    with _LOCK:
        _IN_FLIGHT[_key(tp)] = (offset, now)


def head_hole(consumer: Any, tp: Any) -> int | None:
    """An offset at or after the commit that was never handled while later ones were."""
    span = _uncommitted(consumer, tp)
    return None if span is None else first_unaccounted(tp, span[0], span[1])


async def rewind_holes(consumer: Any, now: float) -> dict[Any, int]:
    """Read again from each hole that stood for two ticks (a dropped message); what was done.

    Two ticks, so that a message the agent is handling right now (its partition's
    later messages cannot have been handled before it) is never taken for a hole; and
    a hole already read again only after ``REREAD_AFTER_SECONDS``, so that a long
    queue ahead of the re-read messages does not restart the re-reading again and again.
    """
    done = {}
    for tp in consumer.assignment():
        if tp[0] not in _WATCHED:
            continue
        key = _key(tp)
        hole = head_hole(consumer, tp)
        with _LOCK:
            before = _HOLE_SEEN.pop(key, None)
            if hole is not None:
                _HOLE_SEEN[key] = hole
            rewound = _REWOUND.get(key)
        if hole is None or hole != before:
            continue
        if rewound is not None and rewound[0] == hole and now - rewound[1] < REREAD_AFTER_SECONDS:
            continue
        await seek(consumer, tp, hole, now)
        with _LOCK:
            _REWOUND[key] = (hole, now)
        done[tp] = hole
    return done


async def _end_offset(consumer: Any, tp: Any) -> int | None:
    """The partition's end: the client's last high watermark, else asked of the broker."""
    thread = consumer._thread
    client = thread._ensure_consumer()
    end = client.highwater(tp)
    if end is None:
        end = (await thread.call_thread(client.end_offsets, [tp])).get(tp)
    return None if end is None else int(end)


def _stalled_since(tp: Any, now: float) -> float:
    """Since when the partition's handling has not moved (now, if it just did)."""
    key = _key(tp)
    with _LOCK:
        handled = _HANDLED.get(key)
        progress = (_EXPECTED.get(key), max(handled) if handled else None)
        seen = _PROGRESS.get(key)
        if seen is None or seen[0] != progress:
            _PROGRESS[key] = (progress, now)
            return now
        return seen[1]


async def rewind_stalled_tails(consumer: Any, now: float) -> dict[Any, int]:
    """Read again from the first unhandled offset of each partition that has messages
    past its commit and has not moved for ``TAIL_STALL_SECONDS``; what was done.

    :func:`rewind_holes` needs evidence past a hole: a later offset handled. A dropped
    *tail* leaves none. The workers scenario lost the last messages of two partitions
    so (CI, seed 890241): after the final rebalance the worker that got them back never
    received offsets 248-252 and 210-216, nothing later arrived to show the gap, and
    they stayed unhandled until the harness gave up. A partition whose messages are
    merely queued behind others moves; one that stands this long with messages past
    its commit was dropped. Reading it again costs at most duplicates, which the folds
    skip.
    """
    done = {}
    for tp in consumer.assignment():
        if tp[0] not in _WATCHED:
            continue
        since = _stalled_since(tp, now)
        base = _base(consumer, tp)
        if now - since < TAIL_STALL_SECONDS or base is None:
            continue
        end = await _end_offset(consumer, tp)
        if end is None or end <= base:
            continue
        hole = first_unaccounted(tp, base, end)
        if hole is None or rewind_in_flight(tp, hole, now):
            continue
        with _LOCK:
            rewound = _REWOUND.get(_key(tp))
        if rewound is not None and rewound[0] == hole and now - rewound[1] < REREAD_AFTER_SECONDS:
            continue
        await seek(consumer, tp, hole, now)
        with _LOCK:
            _REWOUND[_key(tp)] = (hole, now)
        done[tp] = hole
    return done


class _ReadOffsets(dict[Any, Any]):
    """Faust's read offsets, with none for the guarded partitions.

    Faust's fetch loop drops a message below the offset it last read there, so the
    messages a rewind brings again were dropped while it was still going through a
    batch fetched before the seek, and it takes a jump for a gap; with no read offset
    it does neither for the guarded partitions, and :func:`admit` decides the order.
    """

    def __getitem__(self, tp: Any) -> Any:
        if tp[0] in _WATCHED:
            return None
        return self.get(tp)


def install() -> None:
    """Wrap the client's batch hand-out and seeks, and Faust's commit and revocation."""
    if getattr(Consumer._new_offset, "leadledger_guard", False):
        return
    original_getall = FetchResult.getall
    original_seek_to = Fetcher.seek_to
    original_new_offset = Consumer._new_offset
    original_revoked = Consumer.on_partitions_revoked
    original_add_gap = Consumer._add_gap
    original_drain = Consumer._drain_messages

    def getall(self: Any, max_records: int | None = None) -> list[Any]:
        # Faust seeks from the app's thread while this runs in the consumer's: a batch
        # handed out across a seek says nothing reliable about what exists.
        seeks_before = seeks(self._topic_partition)
        records = self._partition_records
        start = records.next_fetch_offset if records is not None else None
        got: list[Any] = original_getall(self, max_records)
        if not got:
            return got
        tp = self._topic_partition
        try:
            end = self._assignment.state_value(tp).position
        except Exception:  # the partition left the assignment meanwhile
            end = None
        if start is None or end is None or seeks(tp) != seeks_before:
            note_unreliable(tp)  # unnoted, a missing offset is only read again, never passed
        else:
            note_fetched(tp, int(start), int(end), [r.offset for r in got])
        return got

    def seek_to(self: Any, tp: Any, offset: int) -> Any:
        note_sought(tp, offset)
        return original_seek_to(self, tp, offset)

    def _new_offset(self: Any, tp: Any) -> int | None:
        if tp[0] in _WATCHED:
            return next_commit(self, tp)
        return original_new_offset(self, tp)

    async def _add_gap(self: Any, tp: Any, offset_from: int, offset_to: int) -> None:
        # The ledger knows what is missing; Faust's guess from a jump is not trusted.
        if tp[0] not in _WATCHED:
            await original_add_gap(self, tp, offset_from, offset_to)

    async def _drain_messages(self: Any, fetcher: Any) -> None:
        if not isinstance(self._read_offset, _ReadOffsets):
            self._read_offset = _ReadOffsets(self._read_offset)
        await original_drain(self, fetcher)

    async def on_partitions_revoked(self: Any, revoked: Any) -> None:
        forget(revoked)
        await original_revoked(self, revoked)

    _new_offset.leadledger_guard = True  # type: ignore[attr-defined]
    FetchResult.getall = getall
    Fetcher.seek_to = seek_to
    Consumer._new_offset = _new_offset  # type: ignore[method-assign]
    Consumer._add_gap = _add_gap  # type: ignore[method-assign]
    Consumer._drain_messages = _drain_messages  # type: ignore[method-assign]
    Consumer.on_partitions_revoked = on_partitions_revoked  # type: ignore[method-assign]


def register(app: Any) -> None:
    """The one-second timer that reads holes again."""
    _APP[:] = [app]

    @app.timer(interval=1.0)  # type: ignore[untyped-decorator]
    async def rewind_dropped() -> None:
        try:
            if app.rebalancing:
                return
            now = time.monotonic()
            if done := await rewind_holes(app.consumer, now):
                instruments.COMMIT_REWINDS.labels("hole").inc(len(done))
                log.warning("reading again from offsets fetched but never handled: %s", done)
            if done := await rewind_stalled_tails(app.consumer, now):
                instruments.COMMIT_REWINDS.labels("tail").inc(len(done))
                log.warning("reading again from a partition's tail that never came: %s", done)
        except Exception:
            log.exception("rewinding to never-handled offsets failed")
