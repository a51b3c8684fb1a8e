"""``leadledger verify`` on files: an intact log passes; an edit, a gap or a swap fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas.envelope import Envelope
from schemas.jsonl import dump_line, write_log
from streams.cli.main import cli
from tests.support.leads import Lead, at
from tests.support.recorded import recorded


def stamped_log() -> list[Envelope]:
    one, two = Lead("L1"), Lead("L2")
    return recorded(
        [
            one.captured(),
            two.captured(),
            one.activity(at(1), points=80),
            two.activity(at(1), points=20),
            one.assigned(at(2), "rep-1"),
        ]
    )


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "record.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    return path


def lines_of(events: list[Envelope]) -> list[str]:
    return [dump_line(e) for e in events]


def verify(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["verify", str(path)])
    return result.exit_code, result.stdout


def test_a_stamped_log_is_intact(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    with path.open("w") as handle:
        write_log(stamped_log(), handle)
    assert verify(path) == (0, "history intact: 5 events (5 accepted, 0 refused), 2 subjects\n")


def test_an_edited_event_is_caught_at_its_position(tmp_path: Path) -> None:
    lines = lines_of(stamped_log())
    assert '"points":80' in lines[2]
    lines[2] = lines[2].replace('"points":80', '"points":99')
    code, out = verify(write(tmp_path, lines))
    assert code == 1
    assert "position 2" in out
    assert "record.jsonl:3" in out
    assert "'L1-activity-2'" in out
    assert "subject 'L1'" in out
    assert "changed after it was recorded" in out


def test_a_dropped_event_is_a_missing_link(tmp_path: Path) -> None:
    lines = lines_of(stamped_log())
    del lines[2]  # L1's activity: L1's assignment now links to a hash nobody has
    code, out = verify(write(tmp_path, lines))
    assert code == 1
    assert "position 3" in out
    assert "'L1-assigned-3'" in out
    assert "missing or was reordered" in out


def test_a_swapped_pair_is_caught(tmp_path: Path) -> None:
    lines = lines_of(stamped_log())
    lines[2], lines[4] = lines[4], lines[2]  # L1's activity and assignment change places
    code, out = verify(write(tmp_path, lines))
    assert code == 1
    assert "position 2" in out
    assert "'L1-assigned-3'" in out


def test_a_dropped_first_event_is_caught(tmp_path: Path) -> None:
    lines = lines_of(stamped_log())
    del lines[0]  # L1's capture
    code, out = verify(write(tmp_path, lines))
    assert code == 1
    assert "earlier events are missing" in out


def test_a_line_that_is_no_event_is_a_break(tmp_path: Path) -> None:
    lines = lines_of(stamped_log())
    lines[3] = lines[3][:-5]  # cut JSON
    code, out = verify(write(tmp_path, lines))
    assert code == 1
    assert "position 3 (" in out
    assert "record.jsonl:4" in out
    assert "not a readable event: Invalid JSON" in out
    assert "subject" not in out


def test_an_unrecorded_log_is_not_intact(tmp_path: Path) -> None:
    lead = Lead("L1")
    code, out = verify(write(tmp_path, lines_of([lead.captured()])))
    assert code == 1
    assert "not recorded by leadledger" in out


def test_an_empty_log_is_intact(tmp_path: Path) -> None:
    assert verify(write(tmp_path, [])) == (
        0,
        "history intact: 0 events (0 accepted, 0 refused), 0 subjects\n",
    )


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "absent.jsonl")])
    assert result.exit_code == 2
    assert "cannot read the record log" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("split", [1, 3])
def test_a_log_in_several_files_is_one_history(tmp_path: Path, split: int) -> None:
    lines = lines_of(stamped_log())
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("\n".join(lines[:split]) + "\n")
    second.write_text("\n".join(lines[split:]) + "\n")
    result = CliRunner().invoke(cli, ["verify", str(first), str(second)])
    assert (result.exit_code, result.stdout) == (
        0,
        "history intact: 5 events (5 accepted, 0 refused), 2 subjects\n",
    )
