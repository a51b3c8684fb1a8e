"""Run a page's Python blocks as printed: the blocks, and a producer that records what
they send instead of talking to a broker."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar


def python_blocks(page: Path) -> list[str]:
    """Every fenced ```python block of a markdown page, in order."""
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


class _Sent:
    def get(self, timeout: float | None = None) -> None:
        return None


class RecordingProducer:
    """Stands in for ``kafka.KafkaProducer``; reset ``sent`` per test (monkeypatch)."""

    sent: ClassVar[list[tuple[str, bytes, bytes]]] = []

    def __init__(self, **_: Any) -> None:
        pass

    def send(self, topic: str, key: bytes, value: bytes) -> _Sent:
        self.sent.append((topic, key, value))
        return _Sent()
