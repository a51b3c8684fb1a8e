"""Give the root logger back its level once the Faust worker has started.

At ``-l warn`` (or ``error``) ``faust.Worker`` sets the root logger to DEBUG so that
its start-up spinner turns on every record, and never sets it back. Every
``log.debug`` in aiokafka and Faust (several per message sent or fetched) then
builds a ``LogRecord`` that the handlers, still at WARN, throw away: measured as the
biggest single overhead of the live worker after the fold itself (issue 6).
"""

from __future__ import annotations

import logging
from typing import Any


def quietest_handler_level(root: logging.Logger) -> int:
    """The lowest level a handler of ``root`` still writes, the spinner's aside."""
    levels = [h.level for h in root.handlers if type(h).__name__ != "SpinnerHandler"]
    return min(levels, default=logging.WARNING) or logging.NOTSET


def restore_root_level(root: logging.Logger) -> None:
    """Raise the root level to what its handlers write; never lower it."""
    level = quietest_handler_level(root)
    if level > root.level:
        root.setLevel(level)


def install(app: Any) -> None:
    # An app task starts after the worker has configured logging (and its spinner).
    @app.task  # type: ignore[untyped-decorator]
    async def restore_log_level() -> None:
        restore_root_level(logging.getLogger())
