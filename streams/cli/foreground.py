"""Run the worker as a child in the foreground and pass Ctrl-C and SIGTERM on to it.

``subprocess.call`` is not enough: on Ctrl-C it SIGKILLs the child a quarter of a
second later (no clean stop), and a SIGTERM to the parent alone ends the parent and
leaves the worker running, orphaned. Here the parent forwards the signal, says so,
waits for the worker to stop (it bounds its own shutdown, ``streams/delivery/shutdown.py``),
kills it only when it is still there ``KILL_AFTER_SECONDS`` later or on a second
signal, and returns the worker's exit status.

A worker that exits by itself with ``EXIT_COMMIT_STALLED`` (its offset commits hung,
``streams/delivery/commit_watchdog.py``) is started again: redelivery makes that safe.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable
from types import FrameType

from streams.delivery.commit_watchdog import EXIT_COMMIT_STALLED

KILL_AFTER_SECONDS = 20.0
FORWARDED = (signal.SIGINT, signal.SIGTERM)


def run_in_foreground(command: list[str], env: dict[str, str], say: Callable[[str], None]) -> int:
    while True:
        code, signalled = _run_once(command, env, say)
        if signalled or code != EXIT_COMMIT_STALLED:
            return code
        say("the worker's offset commits hung; starting it again (events are redelivered)")


def _run_once(
    command: list[str], env: dict[str, str], say: Callable[[str], None]
) -> tuple[int, bool]:
    child = subprocess.Popen(command, env=env)
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
    if signals:
        say(f"worker stopped (exit status {code})")
    return (128 - code if code < 0 else code), bool(signals)
