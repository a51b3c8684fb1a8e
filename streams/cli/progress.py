"""Progress bars on stderr for ``replay``, ``export`` and ``verify``, only on a terminal.

A person at a terminal waiting on a long read of the record log sees how far it is;
a script, a pipe or CI (stderr not a terminal) gets nothing extra: stderr keeps only
what the commands say, and stdout their answers. rich draws the bar (typer brings it);
the bar is transient, so what remains on the screen is the commands' own lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")
REDRAW_EVERY = 1_000
"""Steps counted between two updates of the bar: a record log of millions of records is
counted at a cost the reading does not notice."""


class Steps:
    """A phase's bar: ``expect`` its total once known, ``advance`` as records go by.

    Silent (does nothing) when stderr is not a terminal: see :func:`stderr_console`.
    """

    def __init__(self, progress: Progress | None = None, task: TaskID | None = None) -> None:
        self._progress, self._task = progress, task
        self._done = self._shown = 0

    def expect(self, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)

    def advance(self, count: int = 1) -> None:
        self._done += count
        if self._done - self._shown >= REDRAW_EVERY:
            self._show()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.advance()
            yield item

    def _show(self) -> None:
        self._shown = self._done
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self._done)


def stderr_console() -> Console:
    """Where the bars go; rich tells a terminal from a pipe or a file (``isatty``)."""
    return Console(stderr=True)


@contextmanager
def steps(description: str, total: int | None = None) -> Iterator[Steps]:
    """A bar for one phase (reading, folding, writing), gone when the phase ends."""
    console = stderr_console()
    if not console.is_terminal:
        yield Steps()
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        done = Steps(progress, progress.add_task(description, total=total))
        yield done
        done._show()
