"""A state is written only once what derives from it landed on its changelog.

A redelivery reads a lead's state (its seen event ids) to know what was done. The
crash scenario (CI, seed 977954) lost ten leads' clocks: the state of each, with its
clock, was on the changelog, but a ``kill -9`` fell before the deadline-index entry's
write landed; the redelivered events were duplicates, wrote nothing again, and no
timer ever fired the clock. Now the index entries, escalation rows and the chain heads
of subjects without a state land first (``streams/delivery/table_writes.landed_so_far``);
a lead's chain head is in its state and lands with it
(``tests/streams/agents/test_heads_in_state.py``).

The changelog here is a table whose writes the test delivers, or fails, when it says.
"""

from __future__ import annotations

import asyncio
from typing import Any

from projections.lead.fold import state_from_json, state_to_json
from schemas.codec import encode
from streams.agents.clock import apply_due, deadline_due
from streams.agents.lead import handle_lead_batch
from streams.delivery import table_writes
from tests.streams.agents.test_clock_send_order import Topic, runtime
from tests.streams.agents.test_lead_batch import FakeEvent, FakeMessage, _rt
from tests.support.leads import Lead, at, fold


class Changelog(dict[str, Any]):
    """A table whose every write is a changelog message the test delivers or fails."""

    def __init__(self, name: str, journal: list[str]) -> None:
        super().__init__()
        self.name = name
        self.journal = journal  # "<table> <key>" of each write, in order, for all tables
        self.held: list[asyncio.Future[None]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.journal.append(f"{self.name} {key}")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.held.append(future)
        pending = table_writes._PENDING.get()  # what send_changelog collects in a worker
        assert pending is not None, "a table write outside a handling"
        pending.append(future)

    def deliver(self, error: Exception | None = None) -> None:
        for future in self.held:
            if not future.done():
                if error is None:
                    future.set_result(None)
                else:
                    future.set_exception(error)


def _mql_batch(lead: Lead) -> list[FakeEvent]:
    events = [lead.captured(), lead.activity(at(1), "demo_request", points=80)]
    return [
        FakeEvent(FakeMessage(lead.lead_id.encode(), encode(e), 3, offset))
        for offset, e in enumerate(events)
    ]


def _lead_rt(journal: list[str]) -> Any:
    rt = _rt()
    rt.leads = Changelog("leads", journal)
    rt.deadlines = Changelog("deadlines", journal)
    return rt


async def _handled(rt: Any, events: list[FakeEvent]) -> tuple[asyncio.Task[None], list[Any]]:
    """The batch handled as the agent loop handles it (its writes collected)."""
    collected: list[Any] = []

    async def handling() -> None:
        with table_writes.collected() as writes:
            collected.append(writes)
            await handle_lead_batch(rt, events)

    task = asyncio.create_task(handling())
    for _ in range(200):  # until the batch waits on the index write; no SLA waited out
        if rt.deadlines.held:
            break
        await asyncio.sleep(0.001)
    return task, collected


async def test_a_leads_state_waits_until_its_deadline_index_entry_landed() -> None:
    journal: list[str] = []
    rt, lead = _lead_rt(journal), Lead("L-last")
    task, _ = await _handled(rt, _mql_batch(lead))
    assert rt.deadlines.held, "the MQL clock was never indexed"
    await asyncio.sleep(0.01)
    assert lead.lead_id not in rt.leads  # the kill -9 here leaves no state to dedupe on

    rt.deadlines.deliver()
    await asyncio.wait_for(task, timeout=5)
    assert journal.index(f"leads {lead.lead_id}") > max(
        i for i, w in enumerate(journal) if w.startswith("deadlines ")
    )
    assert [c.rule for c in state_from_json(rt.leads[lead.lead_id]).clocks] == ["MQL_NOT_ASSIGNED"]


async def test_an_index_write_that_failed_writes_no_state_and_the_batch_is_read_again() -> None:
    journal: list[str] = []
    rt, lead = _lead_rt(journal), Lead("L-failed-index")
    task, collected = await _handled(rt, _mql_batch(lead))
    rt.deadlines.deliver(RuntimeError("the changelog partition went away"))
    await asyncio.wait_for(task, timeout=5)
    assert lead.lead_id not in rt.leads
    assert not await table_writes.landed(collected[0])  # acknowledged unhandled: read again

    # The redelivery is no duplicate (no state says it was seen): it indexes the clock.
    again = _lead_rt([])
    again.chain_heads = rt.chain_heads
    task, _ = await _handled(again, _mql_batch(lead))
    again.deadlines.deliver()
    await asyncio.wait_for(task, timeout=5)
    assert again.deadlines
    assert lead.lead_id in again.leads


async def test_a_fired_clocks_state_waits_until_its_escalation_row_landed() -> None:
    journal: list[str] = []
    lead = Lead("L-row-first")
    state = fold([lead.captured(), lead.activity(at(1), "demo_request", points=80)]).lead
    (clock,) = state.clocks
    rt: Any = runtime(Topic())
    rt.leads = Changelog("leads", journal)
    rt.escalations = Changelog("escalations", journal)
    with table_writes.collected():
        rt.leads[lead.lead_id] = state_to_json(state)
    rt.leads.deliver()
    journal.clear()

    due = encode(deadline_due(lead.lead_id, clock.due_at))

    async def handling() -> None:
        with table_writes.collected():
            await apply_due(rt, due, 0)

    task = asyncio.create_task(handling())
    for _ in range(200):
        if rt.escalations.held:
            break
        await asyncio.sleep(0.001)
    assert journal, "no escalation row written"
    assert journal[0].startswith("escalations ")
    await asyncio.sleep(0.01)
    assert journal == [journal[0]]  # the lead's state not yet written
    rt.escalations.deliver()
    await asyncio.wait_for(task, timeout=5)
    assert journal[-1] == f"leads {lead.lead_id}"
    assert [e.rule for e in state_from_json(rt.leads[lead.lead_id]).escalations] == [
        "MQL_NOT_ASSIGNED"
    ]


async def test_a_new_leads_key_lands_before_its_sealed_capture_is_sent() -> None:
    """Otherwise a kill -9 between the two left a sealed copy whose key was lost: the
    redelivery sealed it again under a new key and recorded a second copy with other
    sealed bytes, which replay read as the event id reused with other content (the
    crash scenario at 1,000 events/s, seed 305295)."""
    journal: list[str] = []
    rt, lead = _lead_rt(journal), Lead("L-key-first")
    rt.lead_keys = Changelog("lead-keys", journal)
    collected: list[Any] = []

    async def handling() -> None:
        with table_writes.collected() as writes:
            collected.append(writes)
            await handle_lead_batch(rt, _mql_batch(lead))

    task = asyncio.create_task(handling())
    for _ in range(200):
        if rt.lead_keys.held:
            break
        await asyncio.sleep(0.001)
    assert rt.lead_keys.held, "no key was made for the new lead"
    await asyncio.sleep(0.01)
    assert rt.lead_log_topic.sent == []  # nothing sealed under it has left yet

    rt.lead_keys.deliver()
    for _ in range(200):
        if rt.deadlines.held:
            break
        await asyncio.sleep(0.001)
    rt.deadlines.deliver()
    await asyncio.wait_for(task, timeout=5)
    assert len(rt.lead_log_topic.sent) == 2
    assert lead.lead_id in rt.leads
