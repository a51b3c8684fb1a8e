"""A lead event's outputs are sent before its new state is recorded.

Regression (fault harness, left open there): the state was written first, so a failed
send of an escalation lost it for good: the state already held the clock as fired.
"""

from __future__ import annotations

from typing import Any

import pytest

from projections.lead.fold import state_from_json, state_to_json
from schemas.codec import encode
from streams.agents.lead import handle_lead_message
from tests.streams.agents.test_clock_send_order import FailingTopic, Topic
from tests.streams.agents.test_clock_send_order import runtime as clock_runtime
from tests.support.leads import Lead, at, fold


class LeadsTopic(Topic):
    def get_topic_name(self) -> str:
        return "t.leads"


def runtime(escalations_topic: Any) -> Any:
    rt: Any = clock_runtime(escalations_topic)
    rt.leads_topic = LeadsTopic()
    rt.lead_log_topic = Topic()
    rt.book = None  # no share in this log: the lead fold needs no agreement
    return rt


async def test_a_failed_send_leaves_the_lead_as_it_was() -> None:
    lead = Lead("L-send-order")
    state = fold([lead.captured(), lead.activity(at(1), "demo_request", points=80)]).lead
    (clock,) = state.clocks  # MQL_NOT_ASSIGNED, due at +2 h
    late = lead.activity(at(5), "web_visit")  # fires the clock before it applies
    rt = runtime(FailingTopic())
    rt.leads[lead.lead_id] = state_to_json(state)
    with pytest.raises(RuntimeError):
        await handle_lead_message(rt, lead.lead_id.encode(), encode(late), 0, 7)
    assert state_from_json(rt.leads[lead.lead_id]) == state

    retried = runtime(Topic())
    retried.leads[lead.lead_id] = rt.leads[lead.lead_id]
    await handle_lead_message(retried, lead.lead_id.encode(), encode(late), 0, 7)
    assert len(retried.escalations_topic.sent) == 1
    after = state_from_json(retried.leads[lead.lead_id])
    assert clock not in after.clocks
    assert [e.rule for e in after.escalations] == ["MQL_NOT_ASSIGNED"]
