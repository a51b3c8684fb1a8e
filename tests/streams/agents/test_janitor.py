"""The intake janitor deletes only below what the worker committed, on its own partitions."""

from __future__ import annotations

from streams.agents.janitor import deletable


def test_only_owned_partitions_with_a_commit_are_truncated() -> None:
    committed = {0: 120, 1: 0, 2: 40, 3: -1}
    applied = {0: 150, 1: 9, 2: 60, 3: 5}
    assert deletable(committed, frozenset({0, 1, 3}), applied) == {0: 120}
    assert deletable(committed, frozenset(), applied) == {}


def test_never_past_what_this_worker_applied() -> None:
    committed = {0: 120, 1: 80}
    # Partition 0 applied up to 99 here (the commit came from an earlier owner);
    # partition 1 not applied at all in this worker's run yet.
    assert deletable(committed, frozenset({0, 1}), {0: 99}) == {0: 100}
