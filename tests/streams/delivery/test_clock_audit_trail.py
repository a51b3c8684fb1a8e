"""The clocks' audit trail (``DeadlineScheduled``, ``DeadlineCancelled``) is not sent.

Issue 19: no agent and no subscriber reads it, and it was a third of the records an
input event caused besides its record-log copy. A scheduled clock is still kept in
the lead's state and the deadline index (so the timer fires it), and the replay of the
record log still derives every audit event (``docs/performance.md``).
"""

from __future__ import annotations

from projections.lead.fold import state_from_json
from schemas.codec import decode
from streams.agents.lead import handle_lead_batch
from streams.state import deadline_index
from tests.streams.agents.test_lead_batch import _events, _rt
from tests.support.leads import Lead, at, fold


async def test_a_scheduled_and_a_cancelled_clock_go_to_no_topic_but_the_index() -> None:
    lead = Lead("L-audit")
    scheduled = [lead.captured(), lead.activity(at(1), "demo_request", points=80)]
    cancelled = [*scheduled, lead.assigned(at(1.5), "rep-1")]
    emitted = [e.type for e in fold(cancelled).emitted]
    assert {"DeadlineScheduled", "DeadlineCancelled"} <= set(emitted)  # the fold emits them
    rt = _rt()
    await handle_lead_batch(rt, _events([(e, 3) for e in scheduled]))
    (clock,) = state_from_json(rt.leads[lead.lead_id]).clocks
    assert rt.clocks_topic.sent == []
    # The timer still finds it: the deadline index has the clock's entry.
    due = [
        (subject, due_at)
        for key in rt.deadlines
        for due_at, subject, _ in deadline_index.due_entries(rt.deadlines, key, clock.due_at)
    ]
    assert due == [(lead.lead_id, clock.due_at)]
    await handle_lead_batch(rt, _events([(e, 3) for e in cancelled]))
    assert rt.clocks_topic.sent == []
    assert {decode(v).type for v in rt.notifications_topic.sent} == {"NotificationRaised"}
