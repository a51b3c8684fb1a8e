"""``replay --known-at``: what the system knew at a time, beside what was true then.

Lead L1's web visit happened at 10:00 but reached the system three days later (a
partner's late batch). Asked about noon, --as-of says L1 was an MQL then; --known-at
says the system did not know it yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.policy import load_policy
from projections.replay import UnrecordedEventError, replay
from schemas.envelope import Envelope
from schemas.jsonl import write_log
from streams.cli.main import cli
from tests.support.leads import Lead, at
from tests.support.recorded import recorded

NOON = "2026-11-02T12:00:00Z"  # at(3)
LATER = "2026-11-06T00:00:00Z"  # after the late recording


def late_log() -> list[Envelope]:
    lead = Lead("L1")
    events = [lead.captured(), lead.activity(at(1), points=80)]
    return recorded(events, recorded_at=[at(0), at(1, days=3)])


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "record.jsonl"
    with path.open("w") as handle:
        write_log(late_log(), handle)
    return path


def view(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["replay", *args, "--lead", "L1"])
    assert result.exit_code == 0, result.stderr
    body: dict[str, object] = json.loads(result.stdout)
    return body


def test_as_of_and_known_at_differ_for_a_late_recorded_event(log: Path) -> None:
    true_then = view(str(log), "--as-of", NOON)
    known_then = view(str(log), "--known-at", NOON)
    assert (true_then["status"], true_then["score"]) == ("MQL", 80)
    assert (known_then["status"], known_then["score"]) == ("RAW", 0)


def test_once_recorded_the_late_event_is_known(log: Path) -> None:
    # Known by LATER, asked about noon: the system's later, corrected picture of noon.
    both = view(str(log), "--as-of", NOON, "--known-at", LATER)
    assert both == view(str(log), "--as-of", NOON)


def test_known_at_before_anything_was_recorded_finds_no_lead(log: Path) -> None:
    result = CliRunner().invoke(
        cli, ["replay", str(log), "--known-at", "2026-11-02T08:00:00Z", "--lead", "L1"]
    )
    assert result.exit_code == 1
    assert "no lead 'L1'" in result.stderr


def test_known_at_refuses_an_unrecorded_log(tmp_path: Path) -> None:
    path = tmp_path / "partner.jsonl"
    lead = Lead("L1")
    with path.open("w") as handle:
        write_log([lead.captured(), lead.activity(at(1), points=80)], handle)
    result = CliRunner().invoke(cli, ["replay", str(path), "--known-at", NOON, "--lead", "L1"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'L1-captured-1' (L1) has no record stamp" in result.stderr
    # The same log still answers --as-of: only the recorded-time question is refused.
    assert view(str(path), "--as-of", NOON)["score"] == 80


def test_a_bad_known_at_names_the_option(log: Path) -> None:
    result = CliRunner().invoke(cli, ["replay", str(log), "--known-at", "noon", "--lead", "L1"])
    assert result.exit_code == 2
    assert "--known-at 'noon' is not an ISO-8601 time" in result.stderr


def test_neither_time_is_a_usage_error(log: Path) -> None:
    result = CliRunner().invoke(cli, ["replay", str(log), "--lead", "L1"])
    assert result.exit_code == 2
    assert "give --as-of TIME, --known-at TIME or both" in result.stderr


def test_the_pure_fold_keeps_log_order_and_refuses_unrecorded_events() -> None:
    policy = load_policy(None)
    events = late_log()
    noon = at(3)
    assert replay(events, noon, policy, known_at=noon).leads["L1"].score == 0
    assert replay(events, noon, policy, known_at=at(2, days=3)).leads["L1"].score == 80
    with pytest.raises(UnrecordedEventError):
        replay([Lead("L2").captured()], noon, policy, known_at=noon)
