"""What one batch of lead events decided, held back until the broker has its sends.

The lead agent (``streams/agents/lead.py``) handles a batch of events in three steps:

1. Each event in order: decoded, checked, sealed, stamped; folded on the batch's
   working copy of its lead's state and chain head; only then (a fold that raised
   leaves no record) handed to the producer for the record log, with its outputs and
   rejections. Nothing waits for
   the broker, so a batch costs one round trip, not two per event.
2. Once: wait until the broker has every send of the batch (:meth:`LeadBatch.delivered`).
3. Once: write what derives from the states (escalation rows, the deadline index, a
   capture's sealed person) and the chain head of each subject without a lead state,
   wait until those landed, then write each changed lead state with its chain head in
   it, one write per lead, and last what needs the state written (an erasure's key
   shredding) (:meth:`LeadBatch.write`).

So log first holds for every event as before: no head or state is written before the
broker has the record and the outputs it follows from. And the state is written last:
a redelivery reads it (its seen event ids) to know what was done, so a state that
landed without its deadline-index entry (a kill -9 between two changelog writes) left
a clock no timer would fire (``table_writes.landed_so_far``). The agent loop then waits for
these table writes to land before it acknowledges the batch (``streams/delivery/table_writes.py``).

A lead's chain head lands with its state, in the same changelog message: a kill -9
leaves both or neither. Neither: the redelivery stamps the batch's events again from
the old head, second copies that ``projections.chain.first_break`` reads as
redeliveries, and folds them again on the old state (``streams/delivery/recorder.py``).
Issue 19: a head written apart cost a second changelog write per lead per batch (an
upper bound of +15% events per worker CPU-second with it gone). A lead whose stored
state has no head yet (written before) reads the ``chain-heads`` table until its next
write; an event for a lead with no state (refused as unknown) still advances the table.

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
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from faust.streams import _current_event

from projections.chain import ChainHead
from projections.lead.fold import state_from_json
from projections.lead.state import LeadState, stored_to_json, with_changes
from streams.delivery import table_writes
from streams.delivery.recorder import TableHeads
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


class _WorkingHeads:
    """The chain heads as the batch has advanced them (``recorder.Heads``); before
    that, a lead's own (in its state), else the ``chain-heads`` table's."""

    def __init__(
        self,
        table: Any,
        state: Callable[[str], LeadState | None],
        current: Callable[[], Any],
    ) -> None:
        self._table = TableHeads(table)
        self._state = state
        self._current = current
        self.changed: dict[str, tuple[ChainHead, Any]] = {}  # subject -> (head, its event)

    def head(self, subject: str) -> ChainHead | None:
        if subject in self.changed:
            return self.changed[subject][0]
        state = self._state(subject)
        if state is not None and state.chain_head is not None:
            return state.chain_head
        return self._table.head(subject)

    def advance(self, subject: str, head: ChainHead) -> None:
        self.changed[subject] = (head, self._current())


class LeadBatch:
    """The lead states and chain heads one batch works on, and what it sent."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._event: Any = None  # the Faust event being handled (None outside an agent)
        self._states: dict[str, LeadState | None] = {}
        self._changed: dict[str, Any] = {}  # lead id -> the event it is written as
        self.heads = _WorkingHeads(rt.chain_heads, self.state, lambda: self._event)
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
        """The heads of subjects without a state, and what derives from the states,
        landed; then each changed lead once, its head in it; then what waited for the
        states, in order. If the first writes did not land, no state is written: the
        batch's messages are read again (``table_writes``)."""
        self._heads_into_states()
        for event, action in self._derived:
            with as_current(event):
                action()
        if not await table_writes.landed_so_far():
            return
        for lead_id, event in self._changed.items():
            state = self._states[lead_id]
            assert state is not None  # only put() and a moved head mark a lead changed
            with as_current(event):
                self._rt.leads[lead_id] = stored_to_json(state)
        for event, action in self._then:
            with as_current(event):
                action()

    def _heads_into_states(self) -> None:
        """Each moved head into its lead's state, which is then written, even if no
        event changed it (one whose handling failed after it was recorded); a subject
        with no state keeps its head in the ``chain-heads`` table, written now."""
        table = TableHeads(self._rt.chain_heads)
        for subject, (head, event) in self.heads.changed.items():
            state = self._states.get(subject)
            if state is None:
                with as_current(event):
                    table.advance(subject, head)
                continue
            self._states[subject] = with_changes(state, chain_head=head)
            self._changed.setdefault(subject, event)
