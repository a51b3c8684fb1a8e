"""Deadlines indexed by due time, so a timer tick costs what is due, not what is open.

The durable index is a Faust table keyed ``"<partition>|<second bucket>"`` whose value
is a JSON list of ``[due_at, subject]`` pairs (a lead's), or ``[due_at, subject,
aggregate]`` for an agreement's or a dispute's, so the timer can name the fold that
owns the subject. The partition is part of the key
because Faust writes a table key to the changelog partition of the event being
processed: two partitions writing one key would overwrite each other on recovery.

Beside it each worker keeps, in memory, the sorted set of non-empty buckets of the
partitions it owns; it is rebuilt from the table's keys after a rebalance (a cost paid
once per assignment, not per tick).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, MutableMapping
from datetime import datetime

BUCKET_FORMAT = "%Y%m%dT%H%M%S"
# A bucket's list is rewritten whole on every add (O(n) per add, O(n^2) a bucket), and
# live traffic starts its clocks at "now": every MQL of a busy minute used to land in
# one minute bucket. A bucket a second keeps them small. Tables written with a bucket a
# minute still work: a minute key sorts before its seconds, so the tick finds it due
# from that minute on, and ``remove`` also looks there.
LEGACY_BUCKET_FORMAT = "%Y%m%dT%H%M"
LEAD = "lead"


def bucket_key(partition: int, due_at: datetime) -> str:
    return f"{partition:04d}|{due_at.strftime(BUCKET_FORMAT)}"


def _legacy_key(partition: int, due_at: datetime) -> str:
    return f"{partition:04d}|{due_at.strftime(LEGACY_BUCKET_FORMAT)}"


def partition_of(key: str) -> int:
    return int(key.split("|", 1)[0])


def _entries(table: MutableMapping[str, bytes], key: str) -> list[list[str]]:
    raw = table.get(key)
    return json.loads(raw) if raw else []


def _entry(due_at: datetime, subject: str, aggregate: str) -> list[str]:
    # A lead's entry keeps the original two-element form, so existing tables still read.
    return [due_at.isoformat(), subject] + ([] if aggregate == LEAD else [aggregate])


def _aggregate(entry: list[str]) -> str:
    return entry[2] if len(entry) > 2 else LEAD  # [due, subject, aggregate]


def add(
    table: MutableMapping[str, bytes],
    partition: int,
    subject: str,
    due_at: datetime,
    aggregate: str = LEAD,
) -> str:
    """Record a deadline; returns its bucket key. Adding the same entry twice is a no-op."""
    key = bucket_key(partition, due_at)
    entry = _entry(due_at, subject, aggregate)
    entries = _entries(table, key)
    if entry not in entries:
        entries.append(entry)
        table[key] = json.dumps(entries).encode()
    return key


def remove(
    table: MutableMapping[str, bytes],
    partition: int,
    subject: str,
    due_at: datetime,
    aggregate: str = LEAD,
) -> None:
    """Forget a deadline once its subject was advanced past it; drops empty buckets."""
    for key in (bucket_key(partition, due_at), _legacy_key(partition, due_at)):
        entries = _entries(table, key)
        kept = [
            e
            for e in entries
            if not (e[1] == subject and _aggregate(e) == aggregate and e[0] <= due_at.isoformat())
        ]
        if len(kept) == len(entries):
            continue
        if kept:
            table[key] = json.dumps(kept).encode()
        else:
            del table[key]


def due_entries(
    table: MutableMapping[str, bytes], key: str, now: datetime
) -> list[tuple[datetime, str, str]]:
    """``(due_at, subject, aggregate)`` of every entry due at or before ``now``."""
    return [
        (datetime.fromisoformat(entry[0]), entry[1], _aggregate(entry))
        for entry in _entries(table, key)
        if datetime.fromisoformat(entry[0]) <= now
    ]


class BucketSchedule:
    """The in-memory, per-worker lists of non-empty buckets, one sorted list a partition.

    ``due_keys`` bisects each list, so it costs O(partitions * log buckets + due).
    """

    def __init__(self) -> None:
        self._buckets: dict[int, list[str]] = {}
        self.partitions: frozenset[int] | None = None

    def rebuild(self, keys: Iterable[str], partitions: frozenset[int]) -> None:
        self._buckets = {p: [] for p in partitions}
        for key in keys:
            partition, bucket = key.split("|", 1)
            if int(partition) in partitions:
                self._buckets[int(partition)].append(bucket)
        for buckets in self._buckets.values():
            buckets.sort()
        self.partitions = partitions

    def note(self, key: str) -> None:
        partition, bucket = key.split("|", 1)
        buckets = self._buckets.setdefault(int(partition), [])
        index = bisect.bisect_left(buckets, bucket)
        if index == len(buckets) or buckets[index] != bucket:
            buckets.insert(index, bucket)

    def due_keys(self, now: datetime) -> list[str]:
        """Bucket keys whose minute has started, for every owned partition."""
        horizon = now.strftime(BUCKET_FORMAT)
        return [
            f"{partition:04d}|{bucket}"
            for partition, buckets in self._buckets.items()
            for bucket in buckets[: bisect.bisect_right(buckets, horizon)]
        ]

    def drop(self, key: str) -> None:
        partition, bucket = key.split("|", 1)
        buckets = self._buckets.get(int(partition), [])
        index = bisect.bisect_left(buckets, bucket)
        if index < len(buckets) and buckets[index] == bucket:
            del buckets[index]

    def __len__(self) -> int:
        return sum(len(b) for b in self._buckets.values())
