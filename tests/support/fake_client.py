"""A stand-in for Faust's consumer as the guards seek with it: through the Kafka
client's own thread (``_thread.call_thread``), as ``streams.delivery.commit_guard.seek`` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeClientThread:
    sought: list[tuple[Any, int]] = field(default_factory=list)

    def _ensure_consumer(self) -> FakeClientThread:
        return self

    def seek(self, tp: Any, offset: int) -> None:
        self.sought.append((tp, offset))

    async def call_thread(self, fun: Callable[..., Any], *args: Any) -> Any:
        return fun(*args)
