"""The ``leadledger verify`` answer over a record log: intact, or its first break.

The record log arrives as entries in log order, each an event and where it was read
(``log.jsonl:12``, ``leadledger.lead-log[3]@41``). A line or record that is not an
event at all (edited into invalid JSON, undecodable bytes, keyed by another subject)
is an entry with ``unreadable`` set: that is tampering as much as an edited field, so
it is a break at its place, not an error of the tool. Links are checked by
:func:`projections.chain.first_break`.

An intact log also says how many of its records the folds accepted and how many they
refused (``projections/decisions.py``): the record log holds both, and the shell folds
it to tell them apart (``Verdict.outcomes``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from projections.chain import Break, first_break
from schemas.envelope import Envelope
from schemas.events import time_problem


@dataclass(frozen=True, slots=True)
class Entry:
    where: str
    event: Envelope | None
    unreadable: str | None = None  # why this entry is not an event
    place: tuple[str, int, int] | None = None
    """(topic, partition, offset) of a record read from Kafka: replay's fold order is
    built from it (``streams.readback.event_log.event_time_order``)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    checked: int  # events read, the broken one included
    subjects: int  # distinct subjects among them
    broken: Break | None
    where: str | None = None  # where the broken entry was read
    outside_range: tuple[str, ...] = ()  # where each record with an out-of-range time is
    outcomes: str | None = None  # "A accepted, R refused", once an intact log is folded

    def message(self) -> str:
        if self.broken is None:
            outcomes = f" ({self.outcomes})" if self.outcomes is not None else ""
            return (
                f"history intact: {self.checked} events{outcomes}, {self.subjects} subjects"
                + self._range_note()
            )
        b = self.broken
        at = f"history broken at position {b.position} ({self.where})"
        if not b.event_id:  # not an event at all: no id or subject to name
            return f"{at}: {b.reason}"
        return f"{at}: event {b.event_id!r}, subject {b.subject!r}: {b.reason}"

    def _range_note(self) -> str:
        """Records the door refuses today, recorded before the range existed: intact
        history, folded by replay as the worker folded them, and an auditor must know."""
        if not self.outside_range:
            return ""
        shown = ", ".join(self.outside_range[:10])
        more = f" and {len(self.outside_range) - 10} more" if len(self.outside_range) > 10 else ""
        return (
            f"; {len(self.outside_range)} recorded events state a time outside the "
            f"contract's range (recorded before it existed; replay folds them as the "
            f"worker did): {shown}{more}"
        )


def verify(entries: Iterable[Entry]) -> Verdict:
    """The first broken or missing link of the log, in log order, or none."""
    wheres: list[str] = []
    subjects: set[str] = set()
    stopped: list[Entry] = []
    outside: list[str] = []

    def events() -> Iterator[Envelope]:
        for entry in entries:
            if entry.event is None:
                stopped.append(entry)
                return
            wheres.append(entry.where)
            subjects.add(entry.event.subject)
            if time_problem(entry.event) is not None:
                outside.append(f"{entry.where} ({entry.event.event_id})")
            yield entry.event

    checked, broken = first_break(events())
    if broken is not None:
        return Verdict(checked, len(subjects), broken, wheres[broken.position])
    if stopped:
        entry = stopped[0]
        reason = f"not a readable event: {entry.unreadable}"
        unreadable = Break(checked, "", "", reason)
        return Verdict(checked + 1, len(subjects), unreadable, entry.where)
    return Verdict(checked, len(subjects), None, outside_range=tuple(outside))
