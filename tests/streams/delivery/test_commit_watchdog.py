"""The commit watchdog: a hung offset commit is noticed, and the worker is restarted."""

from __future__ import annotations

import sys
from pathlib import Path

from streams.cli.foreground import run_in_foreground
from streams.delivery.agent_loop import finished_events
from streams.delivery.commit_watchdog import (
    EXIT_COMMIT_STALLED,
    HANDLING,
    AckedWaiting,
    CommittedCheck,
    CommitWatch,
    HandlingWatch,
    stalled,
)


def test_a_commit_running_past_the_limit_is_a_stall() -> None:
    watch = CommitWatch()
    assert not stalled(watch, now=1_000.0, limit_seconds=25)  # nothing running
    watch.on_commit_initiated(consumer=None)
    started = watch.started_at
    assert started is not None
    assert not stalled(watch, now=started + 24, limit_seconds=25)
    assert stalled(watch, now=started + 26, limit_seconds=25)


def test_a_completed_commit_clears_the_clock() -> None:
    watch = CommitWatch()
    watch.on_commit_initiated(consumer=None)
    state = watch.on_commit_initiated(consumer=None)
    watch.on_commit_completed(consumer=None, state=state)
    assert watch.started_at is None
    assert not stalled(watch, now=10**9, limit_seconds=25)


def _worker_script(tmp_path: Path, first_exit: int) -> list[str]:
    """A stand-in worker: exits ``first_exit`` on its first run, 0 after."""
    runs = tmp_path / "runs"
    script = (
        "import pathlib, sys\n"
        f"runs = pathlib.Path({str(runs)!r})\n"
        "n = int(runs.read_text()) + 1 if runs.exists() else 1\n"
        "runs.write_text(str(n))\n"
        f"sys.exit({first_exit} if n == 1 else 0)\n"
    )
    return [sys.executable, "-c", script]


def test_a_worker_that_exits_for_a_stalled_commit_is_started_again(tmp_path: Path) -> None:
    said: list[str] = []
    code = run_in_foreground(_worker_script(tmp_path, EXIT_COMMIT_STALLED), {}, said.append)
    assert code == 0
    assert (tmp_path / "runs").read_text() == "2"
    assert any("starting it again" in line for line in said)


def test_any_other_exit_status_is_returned_as_it_is(tmp_path: Path) -> None:
    said: list[str] = []
    code = run_in_foreground(_worker_script(tmp_path, 3), {}, said.append)
    assert code == 3
    assert (tmp_path / "runs").read_text() == "1"


def test_a_handling_that_never_ends_is_a_stall() -> None:
    watch = HandlingWatch()
    assert watch.running_for(now=5.0) == 0.0
    first = watch.begin()
    second = watch.begin()
    watch.end(second)
    oldest = watch.running_for(now=10**9)
    assert oldest > 0
    watch.end(first)
    assert watch.running_for(now=10**9) == 0.0


async def test_the_agent_loop_reports_each_handling_while_it_runs() -> None:
    from tests.streams.delivery.test_ack_after_handling import ManualAckStream

    stream = ManualAckStream(["a", "b"])
    during = []
    async for _ in finished_events(stream):
        during.append(HANDLING.running_for(now=10**9) > 0)
    assert during == [True, True]
    assert HANDLING.running_for(now=10**9) == 0.0


def test_a_commit_the_broker_never_got_is_a_stall_once_it_lasts() -> None:
    check = CommittedCheck()
    tp = ("ns.leads", 0)
    check.observe({tp: 120}, {tp: 120}, now=100.0)
    assert check.running_for(now=200.0) == 0.0
    check.observe({tp: 150}, {tp: 120}, now=200.0)  # Faust believes 150; the broker has 120
    check.observe({tp: 150}, {tp: 120}, now=210.0)
    assert stalled(check, now=226.0, limit_seconds=25)
    check.observe({tp: 160}, {tp: 160}, now=227.0)  # caught up: the clock starts over
    assert check.running_for(now=300.0) == 0.0


def test_a_partition_the_broker_has_no_offset_for_counts_as_behind() -> None:
    check = CommittedCheck()
    check.observe({("ns.leads", 3): 5}, {}, now=0.0)
    assert check.running_for(now=30.0) == 30.0


def test_acked_offsets_behind_a_committed_offset_that_stands_are_a_stall() -> None:
    check = AckedWaiting()
    tp = ("ns.leads", 2)
    check.observe({tp: [11, 12]}, {tp: 10}, now=0.0)  # offset 10 never acked: a gap
    check.observe({tp: [11, 12, 13]}, {tp: 10}, now=20.0)
    assert stalled(check, now=26.0, limit_seconds=25)
    assert "ns.leads[2] committed 10, 3 acked from 11" in check.detail


def test_acked_offsets_are_no_stall_while_commits_move_or_once_none_wait() -> None:
    check = AckedWaiting()
    tp = ("ns.leads", 0)
    for step in range(10):  # busy: acks always waiting, but every commit moves on
        check.observe({tp: [step * 10 + 1]}, {tp: step * 10}, now=step * 5.0)
    assert not stalled(check, now=50.0, limit_seconds=25)
    check.observe({tp: []}, {tp: 100}, now=60.0)
    assert check.running_for(now=1000.0) == 0.0
