"""The worker's root logger gets back the level its handlers write (issue 6)."""

from __future__ import annotations

import logging

from streams.log_level import restore_root_level


def _root_with(*levels: int) -> logging.Logger:
    root = logging.Logger("test-root", logging.DEBUG)
    for level in levels:
        handler = logging.NullHandler()
        handler.setLevel(level)
        root.addHandler(handler)
    return root


def test_a_debug_root_with_warn_handlers_goes_back_to_warn() -> None:
    root = _root_with(logging.WARNING)
    restore_root_level(root)
    assert root.level == logging.WARNING
    assert not root.isEnabledFor(logging.DEBUG)


def test_the_spinner_handler_does_not_keep_the_root_at_debug() -> None:
    class SpinnerHandler(logging.NullHandler):
        pass

    root = _root_with(logging.WARNING)
    spinner = SpinnerHandler()
    spinner.setLevel(logging.DEBUG)
    root.addHandler(spinner)
    restore_root_level(root)
    assert root.level == logging.WARNING


def test_a_handler_that_writes_debug_keeps_the_root_at_debug() -> None:
    root = _root_with(logging.WARNING, logging.DEBUG)
    restore_root_level(root)
    assert root.level == logging.DEBUG


def test_the_level_is_never_lowered() -> None:
    root = _root_with(logging.INFO)
    root.setLevel(logging.ERROR)
    restore_root_level(root)
    assert root.level == logging.ERROR
