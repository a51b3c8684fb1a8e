"""The replay contract: JSON on stdout and exit 0, or exit 2 with the line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas.jsonl import write_log
from streams.cli.main import cli
from tests.support.leads import Lead, at

AS_OF = "2026-11-10T00:00:00Z"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    one, two = Lead("L1"), Lead("L2")
    events = [
        one.captured(),
        one.activity(at(1), points=80),
        two.captured(),
        two.activity(at(1), points=80),
        two.assigned(at(1.5), "rep-1"),
    ]
    path = tmp_path / "log.jsonl"
    with path.open("w") as handle:
        write_log(events, handle)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_escalations_sorted_by_due_then_subject(log: Path) -> None:
    code, out, _ = run("replay", str(log), "--as-of", AS_OF, "--escalations")
    assert code == 0
    rows = json.loads(out)
    assert [(r["rule"], r["subject"], r["due_at"]) for r in rows] == [
        ("MQL_NOT_ASSIGNED", "L1", "2026-11-02T11:00:00Z"),
        ("MQL_NOT_ACCEPTED", "L2", "2026-11-04T10:30:00Z"),
    ]


def test_as_of_before_a_due_time_leaves_it_out(log: Path) -> None:
    code, out, _ = run("replay", str(log), "--as-of", "2026-11-02T10:59:59Z", "--escalations")
    assert code == 0
    assert json.loads(out) == []


def test_lead_view(log: Path) -> None:
    code, out, _ = run("replay", str(log), "--as-of", AS_OF, "--lead", "L2")
    view = json.loads(out)
    assert code == 0
    assert (view["status"], view["score"], view["owner"]) == ("MQL", 80, "rep-1")
    assert view["escalations"][0]["rule"] == "MQL_NOT_ACCEPTED"
    assert [h["to"] for h in view["history"] if h["kind"] == "status"] == ["INQUIRY", "MQL"]


def test_malformed_line_exits_2_with_line_number_and_no_stdout(log: Path) -> None:
    with log.open("a") as handle:
        handle.write('{"event_id": "x"}\n')
    code, out, err = run("replay", str(log), "--as-of", AS_OF, "--escalations")
    assert code == 2
    assert out == ""
    assert f"{log}:6:" in err


def test_needs_exactly_one_of_lead_or_escalations(log: Path) -> None:
    code, out, err = run("replay", str(log), "--as-of", AS_OF)
    assert code == 2
    assert "exactly one" in err
    assert out == ""


def test_follow_up_report(log: Path, tmp_path: Path) -> None:
    lead = Lead("L3")
    events = [
        lead.captured(),
        lead.activity(at(1), points=80),
        lead.assigned(at(2), "r"),
        lead.status(at(5), "SAL"),
    ]
    path = tmp_path / "follow.jsonl"
    with path.open("w") as handle:
        write_log(events, handle)
    code, out, _ = run("report", "follow-up", str(path), "--as-of", AS_OF)
    assert code == 0
    assert json.loads(out) == [{"week": "2026-W45", "average_hours": 4.0, "count": 1}]
