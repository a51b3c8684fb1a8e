"""``replay --rejections``, ``verify``'s counts and ``export --outcomes``'s lines, on files
(issue 17, items 3 and 4); the live versions are in
``tests/integration/test_refusals_live.py``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.decisions import REFUSED, Decision
from projections.policy import Policy
from projections.replay import decide_log
from schemas.envelope import Envelope
from schemas.jsonl import read_log, write_log
from streams.cli.main import cli
from streams.cli.refusals import shown, write_outcomes
from streams.delivery.rejections import MAX_REASON_CHARS, rejection_for
from tests.support.leads import Lead, at
from tests.support.recorded import recorded


def record_log() -> list[Envelope]:
    one, ghost = Lead("L1"), Lead("L-ghost")
    return recorded(
        [
            one.captured(),
            ghost.activity(at(2)),
            one.activity(at(1), points=10),
            ghost.activity(at(30)),
        ]
    )


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "record.jsonl"
    with path.open("w") as handle:
        write_log(record_log(), handle)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_rejections_lists_what_was_refused_up_to_the_time(log: Path) -> None:
    code, out, err = run("replay", str(log), "--as-of", "2026-11-02T12:00:00Z", "--rejections")
    assert (code, err) == (0, "")
    assert json.loads(out) == [
        {
            "event_id": "L-ghost-activity-1",
            "type": "LeadActivity",
            "subject": "L-ghost",
            "occurred_at": "2026-11-02T11:00:00Z",
            "reasons": ["LeadActivity for unknown lead L-ghost"],
            "answered_with": "EventRejected",
        }
    ]
    code, out, _ = run("replay", str(log), "--as-of", "2026-11-10T00:00:00Z", "--rejections")
    assert [r["event_id"] for r in json.loads(out)] == ["L-ghost-activity-1", "L-ghost-activity-2"]


def test_rejections_with_known_at_only_what_was_recorded_by_then(log: Path) -> None:
    # Each test event is recorded a minute after it occurred (tests/support/recorded.py).
    code, out, _ = run("replay", str(log), "--known-at", "2026-11-03T00:00:00Z", "--rejections")
    assert code == 0
    assert [r["event_id"] for r in json.loads(out)] == ["L-ghost-activity-1"]


def test_rejections_is_one_of_the_exclusive_answers(log: Path) -> None:
    code, out, err = run(
        "replay", str(log), "--as-of", "2026-11-10T00:00:00Z", "--rejections", "--escalations"
    )
    assert (code, out) == (2, "")
    assert "--rejections" in err


def test_verify_counts_the_accepted_and_the_refused_records(log: Path) -> None:
    code, out, _ = run("verify", str(log))
    assert (code, out) == (0, "history intact: 4 events (2 accepted, 2 refused), 2 subjects\n")


def test_outcomes_mark_each_exported_line_and_the_export_still_reads_back(
    log: Path, tmp_path: Path
) -> None:
    events = list(read_log(log))
    decisions, _ = decide_log(events, Policy())
    out = io.StringIO()
    write_outcomes(decisions, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(n["line"], n["event_id"], n["outcome"]) for n in lines] == [
        (1, "L1-captured-1", "accepted"),
        (2, "L-ghost-activity-1", "refused"),
        (3, "L1-activity-2", "accepted"),
        (4, "L-ghost-activity-2", "refused"),
    ]
    assert lines[1]["reasons"] == ["LeadActivity for unknown lead L-ghost"]
    assert "reasons" not in lines[0]


def test_a_long_reason_is_bounded_as_the_worker_bounds_it() -> None:
    """The agents cut an EventRejected's reason at MAX_REASON_CHARS (rejection_for); the
    listing shows it cut the same way. A LeadShareRejected's reasons are not cut."""
    [event] = recorded([Lead("L-long").activity(at(1))])
    long = "x" * (MAX_REASON_CHARS + 5)
    as_worker = rejection_for(
        reasons=[long], original=None, key=None, topic="t", partition=0, offset=0, event=event
    )
    assert shown(Decision(event, REFUSED, (long,), "EventRejected"))["reasons"] == (
        as_worker.data.reasons
    )
    share = shown(Decision(event, REFUSED, (long,), "LeadShareRejected"))
    assert share["reasons"] == [long]
