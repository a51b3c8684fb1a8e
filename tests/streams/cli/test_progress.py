"""``replay``, ``export`` and ``verify`` draw a bar on stderr at a terminal, nothing else.

Silence is checked with pipes (CliRunner, and a subprocess whose stderr is a pipe); the
bar with a real terminal (a pty as the subprocess's stderr) and, for the commands that
need a broker, by making the console a terminal.
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from schemas.envelope import Envelope
from schemas.jsonl import write_log
from streams.cli import progress
from streams.cli import replay as cli_replay
from streams.cli.main import cli
from streams.readback.steps import Steps
from tests.streams.cli.test_verify_cli import stamped_log

ROOT = Path(__file__).resolve().parents[3]
BAR_WORDS = ("verifying", "reading", "folding", "exporting")
LEADLEDGER = [sys.executable, "-c", "from streams.cli.main import main; main()"]


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "record.jsonl"
    with path.open("w") as handle:
        write_log(stamped_log(), handle)
    return path


def _no_bar(text: str) -> None:
    assert not any(word in text for word in BAR_WORDS), text
    assert "\x1b[" not in text  # no cursor movement or colour either


def test_silent_when_stderr_is_a_pipe(tmp_path: Path) -> None:
    path = _log(tmp_path)
    runner = CliRunner()
    verified = runner.invoke(cli, ["verify", str(path)])
    assert verified.exit_code == 0
    assert verified.stderr == ""
    replayed = runner.invoke(
        cli, ["replay", str(path), "--as-of", "2026-12-01T00:00:00Z", "--escalations"]
    )
    assert replayed.exit_code == 0, replayed.output
    _no_bar(replayed.stderr)
    # A real process with pipes, as a script or CI runs it.
    done = subprocess.run(
        [*LEADLEDGER, "verify", str(path)],
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    assert done.stdout.decode() == "history intact: 5 events (5 accepted, 0 refused), 2 subjects\n"
    assert done.stderr == b""


def _read_all(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 5.0)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed (Linux raises EIO)
            break
        if not chunk:
            break
        out += chunk
    return out


def test_a_bar_when_stderr_is_a_terminal(tmp_path: Path) -> None:
    path = _log(tmp_path)
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(
        [*LEADLEDGER, "verify", str(path)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        cwd=ROOT,
        env=env,
    ) as process:
        os.close(terminal)
        drawn = _read_all(controller)
        stdout = process.stdout.read() if process.stdout else b""
        assert process.wait(timeout=30) == 0
    os.close(controller)
    assert b"verifying" in drawn
    assert (
        stdout.decode() == "history intact: 5 events (5 accepted, 0 refused), 2 subjects\n"
    )  # answers untouched


@pytest.fixture
def terminal_console(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """The bars' console is a terminal, drawing into a buffer."""
    screen = io.StringIO()

    def console() -> Console:
        return Console(file=screen, force_terminal=True, width=100)

    monkeypatch.setattr(progress, "stderr_console", console)
    return screen


def test_replay_draws_its_phases_on_a_terminal(
    tmp_path: Path, terminal_console: io.StringIO
) -> None:
    path = _log(tmp_path)
    result = CliRunner().invoke(
        cli, ["replay", str(path), "--as-of", "2026-12-01T00:00:00Z", "--escalations"]
    )
    assert result.exit_code == 0, result.output
    drawn = terminal_console.getvalue()
    assert "reading" in drawn
    assert "folding" in drawn
    assert "5/5" in drawn  # the fold's total is known: every event read
    assert result.stdout.startswith("[")  # the answer is still plain JSON on stdout


def _export_without_a_broker(monkeypatch: pytest.MonkeyPatch, events: list[Envelope]) -> None:
    def read_topics(kafka: Any, topics: Any, stats: Any, steps: Steps) -> Iterator[Envelope]:
        steps.expect(len(events))
        for event in events:
            steps.advance()
            yield event

    monkeypatch.setattr(cli_replay, "read_topics", read_topics)
    monkeypatch.setattr(cli_replay, "live_keys", lambda settings: {})
    monkeypatch.setattr(cli_replay, "operator_access", lambda settings: None)


def test_export_draws_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal_console: io.StringIO
) -> None:
    _export_without_a_broker(monkeypatch, stamped_log())
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "exporting" in terminal_console.getvalue()
    assert len(out.read_text().splitlines()) == 5

    monkeypatch.setattr(progress, "stderr_console", lambda: Console(file=io.StringIO()))
    piped = CliRunner().invoke(cli, ["export", "--out", str(out)])
    assert piped.exit_code == 0
    _no_bar(piped.stderr)
    assert piped.stderr.startswith("5 events written to")
