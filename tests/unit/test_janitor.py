"""The intake janitor deletes only below what the worker committed, on its own partitions."""

from __future__ import annotations

from streams.janitor import deletable


def test_only_owned_partitions_with_a_commit_are_truncated() -> None:
    committed = {0: 120, 1: 0, 2: 40, 3: -1}
    assert deletable(committed, frozenset({0, 1, 3})) == {0: 120}
    assert deletable(committed, frozenset()) == {}
