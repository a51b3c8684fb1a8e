"""The canonical event-log file: JSON Lines, one envelope per line, file order = log order.

Exactly the envelope fields of design/EVENTS.md (``event_id, type, subject,
occurred_at, source, actor, data``), plus ``record`` on events read from the record
log (when the system recorded them, and their hash chain), ``data`` a nested object,
times ISO-8601 UTC with ``Z``. Blank lines are skipped, so a file may end with a newline or two.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from schemas.envelope import Envelope
from schemas.events import Event, parse_event_json


class LogLineError(ValueError):
    def __init__(self, line_number: int, reason: str) -> None:
        super().__init__(f"line {line_number}: {reason}")
        self.line_number = line_number
        self.reason = reason


def dump_line(event: Envelope) -> str:
    # An unrecorded event (a partner's own form) keeps exactly the contract's fields;
    # ``source_kind`` only where admission stamped it.
    left_out = set()
    if event.record is None:
        left_out.add("record")
    if event.source_kind is None:
        left_out.add("source_kind")
    return event.model_dump_json(exclude=left_out or None)


def write_log(events: Iterable[Envelope], out: TextIO) -> int:
    count = 0
    for event in events:
        out.write(dump_line(event) + "\n")
        count += 1
    return count


def _reason(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc']))}: {e['msg']}" if e["loc"] else e["msg"]
        for e in exc.errors()
    )


def iter_log(lines: Iterable[str]) -> Iterator[Event]:
    """Events in file order; the first malformed line raises :class:`LogLineError`."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield parse_event_json(line, as_recorded=True)
        except ValidationError as exc:
            raise LogLineError(number, _reason(exc)) from exc


def read_log(path: Path) -> Iterator[Event]:
    with Path(path).open(encoding="utf-8") as lines:
        yield from iter_log(lines)
