"""What one batch of lead events decided, held back until the broker has its sends.

The lead agent (``streams/agents/lead.py``) handles a batch of events in three steps:

1. Each event in order: decoded, checked, sealed, stamped; folded on the batch's
   working copy of its lead's state and chain head; only then (a fold that raised
   leaves no record) handed to the producer for the record log, with its outputs and
   rejections. Nothing waits for
   the broker, so a batch costs one round trip, not two per event.
2. Once: wait until the broker has every send of the batch (:meth:`LeadBatch.delivered`).
3. Once: write each changed chain head and what derives from the states (escalation
   rows, the deadline index, a capture's sealed person), wait until those landed, then
   write each changed lead state, one write per lead, and last what needs the state
   written (an erasure's key shredding) (:meth:`LeadBatch.write`).

So log first holds for every event as before: no head or state is written before the
broker has the record and the outputs it follows from. And the state is written last:
a redelivery reads it (its seen event ids) to know what was done, so a state that
landed without its deadline-index entry (a kill -9 between two changelog writes) left
a clock no timer would fire (``table_writes.landed_so_far``). The agent loop then waits for
these table writes to land before it acknowledges the batch (``streams/delivery/table_writes.py``).

Faust writes a table entry to the changelog partition of the *current* event, which in
a batch is the stream's latest one, often of another partition: each write is made
as its own event's (:func:`as_current`). The first batching attempt wrote a whole
batch under one event; the fault harness's crash scenario failed with it.

The clock agent folds lead states too; it holds ``Runtime.lead_lock``, which the lead
agent holds for a whole batch, so neither overwrites what the other wrote.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from faust.streams import _current_event

from projections.lead.fold import state_from_json, state_to_json
from projections.lead.state import LeadState
from streams.delivery import table_writes
from streams.runtime import Runtime


@contextmanager
def as_current(event: Any) -> Iterator[None]:
    """Table writes inside go to ``event``'s partition (None: leave Faust's as it is)."""
    if event is None:
        yield
        return
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


class _WorkingHeads(MutableMapping[str, bytes]):
    """The chain heads as the batch has advanced them, read through to the table."""

    def __init__(self, table: Any, current: Callable[[], Any]) -> None:
        self._table = table
        self._current = current
        self.changed: dict[str, tuple[bytes, Any]] = {}  # subject -> (head, its event)

    def __getitem__(self, key: str) -> bytes:
        if key in self.changed:
            return self.changed[key][0]
        value: bytes = self._table[key]
        return value

    def __setitem__(self, key: str, value: bytes) -> None:
        self.changed[key] = (value, self._current())

    def __delitem__(self, key: str) -> None:  # nothing deletes a head; kept total
        raise NotImplementedError("a chain head is never deleted")

    def __iter__(self) -> Iterator[str]:
        return iter(self.changed)

    def __len__(self) -> int:
        return len(self.changed)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.changed:
            return self.changed[key][0]
        return self._table.get(key, default)


class LeadBatch:
    """The lead states and chain heads one batch works on, and what it sent."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._event: Any = None  # the Faust event being handled (None outside an agent)
        self._states: dict[str, LeadState | None] = {}
        self._changed: dict[str, Any] = {}  # lead id -> the event it is written as
        self.heads = _WorkingHeads(rt.chain_heads, lambda: self._event)
        self._sends: list[Awaitable[Any]] = []
        self._derived: list[tuple[Any, Callable[[], None]]] = []
        self._then: list[tuple[Any, Callable[[], None]]] = []

    @contextmanager
    def handling(self, event: Any) -> Iterator[None]:
        """Work done inside belongs to ``event`` (its partition, for table writes)."""
        self._event = event
        with as_current(event):
            yield

    def state(self, lead_id: str) -> LeadState | None:
        if lead_id not in self._states:
            raw = self._rt.leads.get(lead_id)
            self._states[lead_id] = state_from_json(raw) if raw else None
        return self._states[lead_id]

    def put(self, lead_id: str, state: LeadState) -> None:
        self._states[lead_id] = state
        self._changed[lead_id] = self._event

    def expect(self, sent: Awaitable[Any]) -> None:
        """A send the batch's writes must wait for."""
        self._sends.append(sent)

    def derive(self, action: Callable[[], None]) -> None:
        """A table write that must land before the states are written (it follows
        from them, and a redelivery that finds the state written would not redo it)."""
        self._derived.append((self._event, action))

    def then(self, action: Callable[[], None]) -> None:
        """A table write to make once the states are written."""
        self._then.append((self._event, action))

    async def delivered(self) -> None:
        """Wait until the broker has every send; raises the first failure."""
        if self._sends:
            await asyncio.gather(*self._sends)

    async def write(self) -> None:
        """Heads (an event's head was advanced before its state was folded) and what
        derives from the states, landed; then each changed lead once; then what
        waited for the states, in order. If the first writes did not land, no state is
        written: the batch's messages are read again (``table_writes``)."""
        for subject, (head, event) in self.heads.changed.items():
            with as_current(event):
                self._rt.chain_heads[subject] = head
        for event, action in self._derived:
            with as_current(event):
                action()
        if not await table_writes.landed_so_far():
            return
        for lead_id, event in self._changed.items():
            state = self._states[lead_id]
            assert state is not None  # only put() marks a lead changed
            with as_current(event):
                self._rt.leads[lead_id] = state_to_json(state)
        for event, action in self._then:
            with as_current(event):
                action()
