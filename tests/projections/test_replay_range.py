"""Replay answers for every time inside the contract's range, and a poison record on a
log written before the range existed never breaks it: a record whose fold fails is
skipped, counted and reported, and one from before the range is folded as live did
(issue 20, item 3).

The probe's poison: a ``LeadActivity`` dated 9999-12-31T23:40, rejected live (a clock's
due time overflowed) but on the record log; every ``replay --as-of`` past it failed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from projections.lead import fold as lead_fold
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.jsonl import write_log
from schemas.lead_events import LeadActivity
from schemas.times import EARLIEST, LATEST
from streams.cli.main import cli
from tests.support.agreements import Agreement, terms
from tests.support.leads import Lead
from tests.support.recorded import recorded

TICK = timedelta(microseconds=1)
LAST = LATEST - TICK  # the last moment replay answers for
POLICY = Policy()


def poison(lead_id: str) -> LeadActivity:
    """What a worker before the range recorded: read as the record log holds it."""
    body = {
        "event_id": f"{lead_id}-poison",
        "type": "LeadActivity",
        "subject": lead_id,
        "occurred_at": "9999-12-31T23:40:00Z",
        "source": "partner-a",
        "data": {"activity": "web_visit", "points": 5},
    }
    return LeadActivity.model_validate(body, context={"as_recorded": True})


def poisoned_log() -> list[Envelope]:
    lead = Lead("L1")
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    events = [lead.captured(t0), poison("L1"), lead.activity(t0 + timedelta(hours=1), points=7)]
    return recorded(events, recorded_at=[t0, t0, t0 + timedelta(hours=1)])


def test_a_poison_record_lies_past_every_answer_and_the_rest_applies() -> None:
    """Its time is past the last moment replay answers for, so it is never folded: the
    live worker rejected it (its fold overflowed), and replay gives that answer."""
    result = replay(poisoned_log(), LAST, POLICY)
    assert result.leads["L1"].score == 7
    assert result.leads["L1"].status == "INQUIRY"
    assert result.skipped == []


def test_a_record_from_before_the_range_is_folded_as_the_worker_folded_it() -> None:
    """A worker before the range accepted a capture dated in year 1 and ran its clocks
    from then; replay must give that answer, not the one today's door would."""
    lead, t0 = Lead("L-year-one"), datetime(2026, 11, 2, 9, tzinfo=UTC)
    accepted: list[Envelope] = []
    for event in (lead.captured(t0), lead.activity(t0, points=POLICY.mql_threshold)):
        body = event.model_dump(mode="json") | {"occurred_at": "0001-01-01T00:00:00Z"}
        accepted.append(parse_event(body, as_recorded=True))
    log = recorded(accepted)
    result = replay(log, LAST, POLICY)
    assert result.skipped == []
    assert result.leads["L-year-one"].status == "MQL"
    assert "MQL_NOT_ASSIGNED" in [r["rule"] for r in result.escalation_rows()]


def test_a_record_the_fold_cannot_take_is_skipped_not_fatal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the live worker rejects an event whose fold raised and goes on."""
    real = lead_fold.evolve  # replay calls it through the module

    def evolve(state: Any, event: Envelope, *args: Any, **kwargs: Any) -> Any:
        if event.event_id.endswith("-activity-3"):
            raise OverflowError("date value out of range")
        return real(state, event, *args, **kwargs)

    monkeypatch.setattr(lead_fold, "evolve", evolve)
    lead = Lead("L2")
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    log = [lead.captured(t0), lead.activity(t0, points=3), lead.activity(t0, points=100)]
    log.append(lead.activity(t0 + timedelta(hours=1), points=4))
    result = replay(log, LAST, POLICY)
    assert result.leads["L2"].score == 7
    assert result.skipped == [
        ("L2-activity-3", "the fold failed: OverflowError('date value out of range')")
    ]


def test_the_lower_end_clocks_run_from_the_first_moment() -> None:
    lead = Lead("L3")
    log = [lead.captured(EARLIEST), lead.activity(EARLIEST, points=POLICY.mql_threshold)]
    result = replay(log, EARLIEST + timedelta(hours=2), POLICY)
    assert result.leads["L3"].status == "MQL"
    assert [r["rule"] for r in result.escalation_rows()] == ["MQL_NOT_ASSIGNED"]
    assert result.escalation_rows()[0]["due_at"] == "2000-01-01T01:00:00Z"
    assert replay(log, EARLIEST, POLICY).escalations == []


def test_at_the_upper_end_clocks_due_past_the_range_do_not_overflow() -> None:
    """Every clock started in the last moment is due after 2100 (up to a century of
    terms later); replay at the last moment answers, and nothing fires yet."""
    lead = Lead("L4")
    agreement = Agreement("AG4")
    longest = terms(
        effective_from=LAST - timedelta(days=1),
        expires_at=None,  # open-ended: its review clock runs a century on
        privacy={"retention_days": 36_500, "erasure_within_days": 36_500},
        review_every_months=1_200,
        response={"accept_within_hours": 876_000},
    )
    log: list[Envelope] = [
        lead.captured(LAST - timedelta(hours=1)),
        lead.activity(LAST, points=POLICY.mql_threshold),
        agreement.proposed(LAST - timedelta(hours=1), the_terms=longest),
        agreement.signed(LAST, "gen"),
        agreement.signed(LAST, "rec"),
    ]
    result = replay(log, LAST, POLICY)
    assert result.skipped == []
    assert result.leads["L4"].status == "MQL"
    assert all(c.due_at >= LATEST for c in result.leads["L4"].clocks)
    assert result.escalations == []
    state = result.agreements.get("AG4")
    assert state is not None
    assert state.status == "ACTIVE"
    assert state.clocks
    assert all(c.due_at >= LATEST for c in state.clocks)  # the review, 100 years on


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "record.jsonl"
    with path.open("w") as handle:
        write_log(poisoned_log(), handle)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def test_replay_of_a_poisoned_file_answers_at_the_last_moment(log_file: Path) -> None:
    answered = run("replay", str(log_file), "--as-of", "2099-12-31T23:59:59Z", "--lead", "L1")
    assert answered.exit_code == 0, answered.stderr
    assert json.loads(answered.stdout)["score"] == 7
    assert "replay skipped" not in answered.stderr


def test_replay_reports_a_record_whose_fold_fails_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = lead_fold.evolve

    def evolve(state: Any, event: Envelope, *args: Any, **kwargs: Any) -> Any:
        if event.event_id == "L5-activity-2":
            raise OverflowError("date value out of range")
        return real(state, event, *args, **kwargs)

    monkeypatch.setattr(lead_fold, "evolve", evolve)
    lead = Lead("L5")
    t0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
    path = tmp_path / "failing.jsonl"
    with path.open("w") as handle:
        write_log(recorded([lead.captured(t0), lead.activity(t0, points=3)]), handle)
    answered = run("replay", str(path), "--as-of", "2099-12-31T23:59:59Z", "--lead", "L5")
    assert answered.exit_code == 0, answered.stderr
    assert "replay skipped 1 recorded events" in answered.stderr
    assert "L5-activity-2: the fold failed: OverflowError" in answered.stderr


def test_verify_calls_the_poisoned_history_intact_and_names_the_record(log_file: Path) -> None:
    verified = run("verify", str(log_file))
    assert verified.exit_code == 0, verified.stdout
    assert "history intact: 3 events (2 accepted, 0 refused, 1 not folded), 1 subjects" in (
        verified.stdout
    )
    assert "1 recorded events state a time outside the contract's range" in verified.stdout
    assert f"{log_file}:2 (L1-poison)" in verified.stdout


@pytest.mark.parametrize(
    "option",
    [
        ["--as-of", "9999-12-31T23:40:00Z"],
        ["--as-of", "2100-01-01T00:00:00Z"],
        ["--as-of", "1999-12-31T23:59:59Z"],
        ["--known-at", "0001-01-01T00:00:00Z"],
        ["--as-of", "2026-11-02T12:00:00Z", "--known-at", "9999-12-31T23:59:59Z"],
    ],
)
def test_a_time_parameter_outside_the_range_is_a_usage_error(
    log_file: Path, option: list[str]
) -> None:
    answered = run("replay", str(log_file), *option, "--lead", "L1")
    assert answered.exit_code == 2
    assert answered.stdout == ""
    assert "outside the contract's time range" in answered.stderr
    assert "Traceback" not in answered.stderr


@pytest.mark.parametrize("as_of", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
def test_a_time_that_overflows_in_utc_is_a_usage_error(log_file: Path, as_of: str) -> None:
    answered = run("replay", str(log_file), "--as-of", as_of, "--escalations")
    assert answered.exit_code == 2
    assert "is not an ISO-8601 time" in answered.stderr


def test_the_follow_up_report_holds_its_as_of_to_the_range(log_file: Path) -> None:
    answered = run("report", "follow-up", str(log_file), "--as-of", "2100-01-01T00:00:00Z")
    assert answered.exit_code == 2
    assert "outside the contract's time range" in answered.stderr


def test_an_old_agreement_with_unbounded_terms_is_read_and_its_failing_fold_skipped() -> None:
    """Terms past today's bounds, recorded before them: the record still reads (so the
    chain verifies), and the signature whose fold overflows is skipped and reported."""
    agreement = Agreement("AG-old")
    body = agreement.proposed().model_dump(mode="json")
    body["data"]["terms"]["review_every_months"] = 10**6
    old = parse_event(body, as_recorded=True)
    with pytest.raises(ValidationError, match="over the contract's bound of 1200 months"):
        parse_event(body)
    start = old.occurred_at
    log = [old, agreement.signed(start + timedelta(hours=1), "gen")]
    log.append(agreement.signed(start + timedelta(hours=2), "rec"))
    result = replay(log, LAST, POLICY)
    [(event_id, reason)] = result.skipped
    assert event_id == log[2].event_id
    assert reason.startswith("the fold failed: ValueError(")
    assert result.agreements.get("AG-old") is not None
