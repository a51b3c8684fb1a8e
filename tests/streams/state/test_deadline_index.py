"""The deadline index: buckets by due second per partition, ticks cost what is due."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from streams.state import deadline_index
from streams.state.deadline_index import BucketSchedule

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_add_is_idempotent_and_remove_drops_empty_bucket() -> None:
    table: dict[str, bytes] = {}
    key = deadline_index.add(table, 3, "lead-1", T0)
    assert deadline_index.add(table, 3, "lead-1", T0) == key
    assert deadline_index.due_entries(table, key, T0) == [(T0, "lead-1", "lead")]
    deadline_index.remove(table, 3, "lead-1", T0)
    assert key not in table


def test_only_due_entries_are_returned() -> None:
    table: dict[str, bytes] = {}
    key = deadline_index.add(table, 0, "a", T0)
    deadline_index.add(table, 0, "b", T0 + timedelta(seconds=30))
    assert deadline_index.due_entries(table, key, T0 + timedelta(seconds=10)) == [(T0, "a", "lead")]


def test_schedule_returns_started_buckets_of_owned_partitions() -> None:
    keys = [
        deadline_index.bucket_key(0, T0),
        deadline_index.bucket_key(1, T0 + timedelta(hours=1)),
        deadline_index.bucket_key(2, T0),
    ]
    schedule = BucketSchedule()
    schedule.rebuild(keys, frozenset({0, 1}))
    assert schedule.due_keys(T0) == [keys[0]]
    assert len(schedule) == 2
    schedule.drop(keys[0])
    assert schedule.due_keys(T0 + timedelta(hours=2)) == [keys[1]]


def test_entries_name_their_aggregate_and_are_removed_per_aggregate() -> None:
    table: dict[str, bytes] = {}
    key = deadline_index.add(table, 1, "X", T0, "agreement")
    deadline_index.add(table, 1, "X", T0)  # a lead with the same id: a separate entry
    deadline_index.add(table, 1, "D", T0, "dispute")
    assert deadline_index.due_entries(table, key, T0) == [
        (T0, "X", "agreement"),
        (T0, "X", "lead"),
        (T0, "D", "dispute"),
    ]
    deadline_index.remove(table, 1, "X", T0, "agreement")
    assert deadline_index.due_entries(table, key, T0) == [(T0, "X", "lead"), (T0, "D", "dispute")]


def test_clocks_of_one_busy_minute_do_not_share_one_ever_growing_bucket() -> None:
    table: dict[str, bytes] = {}
    keys = {deadline_index.add(table, 0, f"L{n}", T0 + timedelta(seconds=n)) for n in range(60)}
    assert len(keys) == 60  # a bucket a second: each add rewrites a short list


def test_a_table_written_with_minute_buckets_is_still_ticked_and_cleaned() -> None:
    legacy = f"0002|{T0.strftime(deadline_index.LEGACY_BUCKET_FORMAT)}"
    due = T0 + timedelta(seconds=20)
    table = {legacy: json.dumps([[due.isoformat(), "lead-9"]]).encode()}
    schedule = BucketSchedule()
    schedule.rebuild(table.keys(), frozenset({2}))
    assert schedule.due_keys(T0 - timedelta(seconds=1)) == []
    assert schedule.due_keys(T0) == [legacy]  # due from its minute on, as before
    assert deadline_index.due_entries(table, legacy, due) == [(due, "lead-9", "lead")]
    deadline_index.remove(table, 2, "lead-9", due)
    assert table == {}
