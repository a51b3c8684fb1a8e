"""The shutdown bound ends a process whose stop hangs, with its own exit status."""

from __future__ import annotations

import pytest

from streams.delivery import shutdown


def test_the_watchdog_exits_after_the_grace_period_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    exits: list[int] = []
    shutdown.arm(grace=0.01, exit_process=exits.append).join(timeout=5)
    assert exits == [shutdown.EXIT_STOP_TIMED_OUT]
    assert "shutdown did not finish within 0s" in capsys.readouterr().err
