"""The watchdog's exits file: counted per namespace, read back by the next process, and
never a reason for the exiting worker, or a scrape, to fail."""

from __future__ import annotations

from pathlib import Path

from streams.observability import exits
from tests.support.leads import at


def test_exits_are_counted_per_namespace_and_read_back(tmp_path: Path) -> None:
    path = exits.exits_path(tmp_path)
    assert exits.read_exits(path, "ns") == 0
    exits.note_exit(path, "ns", "an offset commit", at())
    exits.note_exit(path, "ns", "a message's handling", at(1))
    exits.note_exit(path, "other", "an offset commit", at())
    assert exits.read_exits(path, "ns") == 2
    assert exits.read_exits(path, "other") == 1
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_broken_or_unwritable_file_fails_nothing(tmp_path: Path) -> None:
    path = exits.exits_path(tmp_path)
    path.write_text("{ not json")
    assert exits.read_exits(path, "ns") == 0
    exits.note_exit(path, "ns", "an offset commit", at())  # starts the file again
    assert exits.read_exits(path, "ns") == 1
    blocked = tmp_path / "a-file" / "watchdog-exits.json"
    (tmp_path / "a-file").write_text("")  # its folder cannot be made
    exits.note_exit(blocked, "ns", "an offset commit", at())  # logged, not raised
    assert exits.read_exits(blocked, "ns") == 0
