"""A stand-in for Faust's consumer as the guards seek with it: through the Kafka
client's own thread (``_thread.call_thread``), as ``streams.delivery.commit_guard.seek`` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeClientThread:
    sought: list[tuple[Any, int]] = field(default_factory=list)
    ends: dict[Any, int] = field(default_factory=dict)  # the broker's end offsets
    highwaters: dict[Any, int] = field(default_factory=dict)  # the client's last known

    def highwater(self, tp: Any) -> int | None:
        return self.highwaters.get(tp)

    def end_offsets(self, tps: list[Any]) -> dict[Any, int]:
        return {tp: self.ends[tp] for tp in tps if tp in self.ends}

    def _ensure_consumer(self) -> FakeClientThread:
        return self

    def seek(self, tp: Any, offset: int) -> None:
        self.sought.append((tp, offset))

    async def call_thread(self, fun: Callable[..., Any], *args: Any) -> Any:
        return fun(*args)
