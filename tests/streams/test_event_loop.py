"""The worker runs on uvloop unless told otherwise (``streams/event_loop.py``)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator

import pytest
import uvloop

from streams import event_loop


@pytest.fixture
def policy_kept() -> Iterator[None]:
    before = asyncio.get_event_loop_policy()
    yield
    asyncio.set_event_loop_policy(before)


def test_uvloop_by_default(policy_kept: None) -> None:
    assert event_loop.install({}) == "uvloop"
    assert isinstance(asyncio.get_event_loop_policy(), uvloop.EventLoopPolicy)


def test_asyncio_when_asked(policy_kept: None) -> None:
    before = asyncio.get_event_loop_policy()
    assert event_loop.install({event_loop.ENV: "asyncio"}) == "asyncio"
    assert asyncio.get_event_loop_policy() is before


def test_anything_else_is_refused() -> None:
    with pytest.raises(ValueError, match="uvloop or asyncio"):
        event_loop.install({event_loop.ENV: "trio"})


def test_the_worker_app_sets_it_before_faust_makes_a_loop() -> None:
    """Importing ``streams.app`` (what ``faust -A streams.app worker`` does) leaves the
    uvloop policy in place for the loop Faust's worker creates."""
    probe = (
        "import asyncio, streams.app, uvloop\n"
        "print(type(asyncio.get_event_loop_policy().new_event_loop()).__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip().startswith("uvloop")
