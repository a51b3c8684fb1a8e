"""Stamp events as the recorder does, for tests of verify and of --known-at."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from projections.chain import stamp
from schemas.envelope import Envelope


def recorded(
    events: Iterable[Envelope], recorded_at: Sequence[datetime] | None = None
) -> list[Envelope]:
    """The events chained per subject, in the given order.

    Recorded when given, else a minute after each event occurred (a prompt recorder).
    """
    heads: dict[str, str | None] = {}
    out: list[Envelope] = []
    for i, event in enumerate(events):
        when = recorded_at[i] if recorded_at is not None else event.occurred_at
        stamped = stamp(event, heads.get(event.subject), when + timedelta(minutes=1))
        assert stamped.record is not None
        heads[event.subject] = stamped.record.hash
        out.append(stamped)
    return out
