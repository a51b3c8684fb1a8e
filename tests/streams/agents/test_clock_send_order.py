"""A clock's escalation is recorded in the lead's state only once it was sent.

Regression (fault harness): the state was written first; when the send failed (a
changelog missing from the metadata at start-up) the escalation was lost, because
a retry found the clock already fired.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from projections.lead.fold import state_from_json, state_to_json
from projections.policy import Policy
from schemas.codec import encode
from streams.agents.clock import apply_due, deadline_due
from streams.personal_data.keyring import Keks
from streams.runtime import Runtime
from streams.settings import Settings
from tests.support.delivery import delivered
from tests.support.leads import Lead, at, fold


class FailingTopic:
    async def send(self, **_: Any) -> None:
        raise RuntimeError("changelog not in the metadata yet")


class Topic:
    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, *, key: bytes, value: bytes, **_: Any) -> asyncio.Future[Any]:
        self.sent.append(value)
        return delivered()


def runtime(escalations_topic: Any) -> Runtime:
    return Runtime(
        app=None,
        settings=Settings(),
        policy=Policy(),
        leads_topic=Topic(),
        clocks_topic=Topic(),
        rejections_topic=Topic(),
        escalations_topic=escalations_topic,
        notifications_topic=Topic(),
        leads={},
        deadlines={},
        escalations={},
        keyring=Keks.generate(),  # in memory: the keyring file's KEKs without the file
    )


async def test_a_failed_send_leaves_the_clock_due_for_a_retry() -> None:
    lead = Lead("L-order")
    state = fold([lead.captured(), lead.activity(at(1), "demo_request", points=80)]).lead
    (clock,) = state.clocks
    due = encode(deadline_due(lead.lead_id, clock.due_at))
    rt = runtime(FailingTopic())
    rt.leads[lead.lead_id] = state_to_json(state)
    with pytest.raises(RuntimeError):
        await apply_due(rt, due, 0)
    assert state_from_json(rt.leads[lead.lead_id]).clocks == (clock,)

    retried = runtime(Topic())
    retried.leads[lead.lead_id] = rt.leads[lead.lead_id]
    await apply_due(retried, due, 0)
    assert len(retried.escalations_topic.sent) == 1
    assert state_from_json(retried.leads[lead.lead_id]).clocks == ()
