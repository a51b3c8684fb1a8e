"""``leadledger up``'s foreground worker: its output is kept in a log file, and what a
person needs (token, URLs, log paths) is printed again once the worker is ready."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from streams.cli.foreground import READY_MARK, Transcript, run_in_foreground
from streams.cli.main import up_summary
from streams.settings import Settings


def _chatty_worker(lines: list[str], exit_code: int = 0) -> list[str]:
    script = "".join(f"print({line!r}, flush=True)\n" for line in lines)
    return [sys.executable, "-c", script + f"raise SystemExit({exit_code})\n"]


def test_the_worker_output_is_echoed_logged_and_readiness_announced_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "home" / "worker.log"
    ready: list[int] = []
    lines = ["starting", f"[2026-12-05 14:00:00,000] [1] [INFO] {READY_MARK}", "later", READY_MARK]
    transcript = Transcript(log_file, lambda: ready.append(len(log_file.read_text())))

    code = run_in_foreground(_chatty_worker(lines, exit_code=3), {}, print, transcript)

    assert code == 3
    assert log_file.read_text().splitlines() == lines
    assert capsys.readouterr().out.splitlines() == lines
    assert len(ready) == 1  # once, after the ready line itself was logged
    assert ready[0] == len("starting\n" + lines[1] + "\n")


def test_the_summary_names_the_token_urls_both_logs_and_the_keyring(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    summary = up_summary(settings, "llt_abc", tmp_path / "kafka.log", tmp_path / "worker.log")
    assert "llt_abc" in summary
    assert f"http://{settings.web_host}:{settings.web_port}/stats" in summary
    assert str(tmp_path / "kafka.log") in summary
    assert str(tmp_path / "worker.log") in summary
    assert ".venv/bin/leadledger" in summary
    assert str(tmp_path / "kafka-credentials.json") in summary  # the broker authenticates
    assert str(tmp_path / "keyring.json") in summary
    assert "open to anyone" in up_summary(settings, None, Path("b"), Path("w"))
