"""Run the worker as a child in the foreground and pass Ctrl-C and SIGTERM on to it.

``subprocess.call`` is not enough: on Ctrl-C it SIGKILLs the child a quarter of a
second later (no clean stop), and a SIGTERM to the parent alone ends the parent and
leaves the worker running, orphaned. Here the parent forwards the signal, says so,
waits for the worker to stop (it bounds its own shutdown, ``streams/delivery/shutdown.py``),
kills it only when it is still there ``KILL_AFTER_SECONDS`` later or on a second
signal, and returns the worker's exit status.

A worker that exits by itself with ``EXIT_COMMIT_STALLED`` (its offset commits hung,
``streams/delivery/commit_watchdog.py``) is started again: redelivery makes that safe.

With a ``Transcript``, the worker's output is also appended to a log file, and
``on_ready`` runs once the worker logs that it is ready: what ``leadledger up`` printed
before the worker started has scrolled away under its start-up lines by then.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

from streams.delivery.commit_watchdog import EXIT_COMMIT_STALLED

KILL_AFTER_SECONDS = 20.0
FORWARDED = (signal.SIGINT, signal.SIGTERM)
READY_MARK = "[^Worker]: Ready"  # what Faust's worker logs once its services started


@dataclass(frozen=True)
class Transcript:
    """Where the worker's output is copied, and what to do once it is ready."""

    log_file: Path
    on_ready: Callable[[], None]


def run_in_foreground(
    command: list[str],
    env: dict[str, str],
    say: Callable[[str], None],
    transcript: Transcript | None = None,
) -> int:
    while True:
        code, signalled = _run_once(command, env, say, transcript)
        if signalled or code != EXIT_COMMIT_STALLED:
            return code
        say("the worker's offset commits hung; starting it again (events are redelivered)")


def _copy_output(source: IO[str], transcript: Transcript) -> None:
    """Echo the worker's lines, append them to the log file, and call on_ready once."""
    ready = False
    transcript.log_file.parent.mkdir(parents=True, exist_ok=True)
    with source, transcript.log_file.open("a", encoding="utf-8") as log:
        for line in source:
            sys.stdout.write(line)
            sys.stdout.flush()
            log.write(line)
            log.flush()
            if not ready and READY_MARK in line:
                ready = True
                transcript.on_ready()


def _run_once(
    command: list[str],
    env: dict[str, str],
    say: Callable[[str], None],
    transcript: Transcript | None = None,
) -> tuple[int, bool]:
    piped = transcript is not None
    child = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE if piped else None,
        stderr=subprocess.STDOUT if piped else None,
        text=True,
    )
    copier = None
    if transcript is not None and child.stdout is not None:
        copier = threading.Thread(target=_copy_output, args=(child.stdout, transcript))
        copier.start()
    signals: list[int] = []

    def forward(signum: int, _: FrameType | None) -> None:
        signals.append(signum)
        if len(signals) == 1:
            say(f"stopping the worker ({signal.Signals(signum).name}); again to kill it")
            child.send_signal(signum)
        else:
            say("killing the worker")
            child.kill()

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        while True:
            try:
                code = child.wait(timeout=KILL_AFTER_SECONDS if signals else None)
                break
            except subprocess.TimeoutExpired:
                say(f"the worker did not stop within {KILL_AFTER_SECONDS:.0f}s; killing it")
                child.kill()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if copier is not None:
            copier.join()  # the pipe closes when the worker ends: every line is copied
    if signals:
        say(f"worker stopped (exit status {code})")
    return (128 - code if code < 0 else code), bool(signals)
