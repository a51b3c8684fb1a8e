"""Integration tests: collect each test's dead-connection sockets before the next test.

Tests here stop and kill brokers on purpose. kafka-python leaves the sockets of its
failed connections to a stopped broker to the garbage collector, and the
ResourceWarning of their finalisation failed whichever later test was running when
the collector ran (a unit test once). Each integration test's garbage is collected at
its own teardown, with that warning, and only that one, ignored.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_dead_connections() -> Iterator[None]:
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
