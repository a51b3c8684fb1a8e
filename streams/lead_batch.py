"""A batch's working copy of the lead states and chain heads, written back once.

The lead agent handles a batch of events (``streams.agent_loop.finished_batches``):
each lead's state is read from its table once, folded in memory event after event
(in the batch's order, which keeps each lead's order), and written once when the
batch ends: one JSON decode, one encode and one changelog write per lead per batch,
not per event. Chain heads the same way.

Only what an event finished changes the working copy: a state is put after the
outputs it caused were handed to the producer ("send first, then record"), so an
event whose send failed leaves its lead as it was, for the next event of the batch
as for the table. The clock agent folds lead states too; it holds
``Runtime.lead_lock``, which the lead agent holds for a whole batch, so neither
overwrites what the other wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from projections.lead import state_from_json, state_to_json
from projections.lead_state import LeadState


class WriteBack(MutableMapping[str, bytes]):
    """A table's entries as read through and written back on :meth:`flush`."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self._changed: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> bytes:
        if key in self._changed:
            return self._changed[key]
        value: bytes = self._table[key]
        return value

    def __setitem__(self, key: str, value: bytes) -> None:
        self._changed[key] = value

    def __delitem__(self, key: str) -> None:  # nothing deletes a head; kept total
        raise NotImplementedError("a working copy is never deleted from")

    def __iter__(self) -> Iterator[str]:
        return iter(self._changed)

    def __len__(self) -> int:
        return len(self._changed)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._changed:
            return self._changed[key]
        return self._table.get(key, default)

    def flush(self) -> None:
        for key, value in self._changed.items():
            self._table[key] = value
        self._changed.clear()


class LeadBatch:
    """The lead states and chain heads one batch works on."""

    def __init__(self, leads: Any, chain_heads: Any) -> None:
        self._leads = leads
        self._states: dict[str, LeadState | None] = {}
        self._changed: dict[str, None] = {}  # insertion-ordered set
        self.heads = WriteBack(chain_heads)
        self._after: list[Callable[[], None]] = []

    def state(self, lead_id: str) -> LeadState | None:
        if lead_id not in self._states:
            raw = self._leads.get(lead_id)
            self._states[lead_id] = state_from_json(raw) if raw else None
        return self._states[lead_id]

    def put(self, lead_id: str, state: LeadState) -> None:
        self._states[lead_id] = state
        self._changed[lead_id] = None

    def after_flush(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the states are written (an erasure's key shredding)."""
        self._after.append(action)

    def flush(self) -> None:
        """Write each changed state and head once, then run what waited for them.
        Heads first: an event's head was advanced before its state was folded."""
        self.heads.flush()
        for lead_id in self._changed:
            state = self._states[lead_id]
            assert state is not None  # only put() marks a lead changed
            self._leads[lead_id] = state_to_json(state)
        self._changed.clear()
        actions, self._after = self._after, []
        for action in actions:
            action()
