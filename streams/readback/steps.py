"""What a reader reports of its progress: the records it expects, and each one read.

The commands draw it as a bar on a terminal (``streams/cli/progress.py``); a reader
needs only this much of it, and reads the same with :data:`NO_STEPS`.
"""

from __future__ import annotations

from typing import Protocol


class Steps(Protocol):
    def expect(self, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class _NoSteps:
    def expect(self, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


NO_STEPS: Steps = _NoSteps()
