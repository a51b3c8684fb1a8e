"""Replay raises the collector's thresholds while it folds, and puts them back."""

from __future__ import annotations

import gc

import pytest

from streams.cli.collector import REPLAY_THRESHOLDS, fewer_collections


def test_thresholds_are_raised_inside_and_restored_after_even_on_error() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == REPLAY_THRESHOLDS
        assert gc.isenabled()  # rarer, not off: a cycle is still freed
    assert gc.get_threshold() == before
    with pytest.raises(ValueError, match="boom"), fewer_collections():
        raise ValueError("boom")
    assert gc.get_threshold() == before
