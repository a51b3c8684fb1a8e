"""What the fold cannot take leaves no record-log copy (issue 20, item 3).

A ``LeadActivity`` dated 9999-12-31T23:40 raised in the fold (a clock's due time
overflowed) after the lead agent had appended it to the record log: the worker rejected
it, and every replay past it failed, for every lead. The agents now fold the stamped
event first and send it to the record log only once the fold returned. The range at the
door keeps such a time out; these tests make the fold raise to hold the order itself.
"""

from __future__ import annotations

from typing import Any

import pytest

from projections.agreement.fold import evolve_agreement
from projections.chain import first_break
from projections.lead.fold import evolve
from schemas.codec import decode, encode
from schemas.lead_events import LeadActivity
from schemas.system_events import EventRejected
from streams.agents.agreement import handle_agreement_message
from streams.agents.lead import handle_lead_message
from tests.streams.agents.test_clock_send_order import Topic
from tests.streams.agents.test_lead_send_order import runtime
from tests.support.agreements import Agreement
from tests.support.leads import Lead, at


class AgreementsTopic(Topic):
    def get_topic_name(self) -> str:
        return "test.agreements"


def _raising_on(real: Any, event_id: str) -> Any:
    def evolve(state: Any, event: Any, *args: Any) -> Any:
        if event.event_id == event_id:
            raise OverflowError("date value out of range")
        return real(state, event, *args)

    return evolve


async def test_a_lead_event_whose_fold_raises_is_not_recorded_and_the_chain_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lead = Lead("L-fold-first")
    captured, poison, later = lead.captured(), lead.activity(at(1)), lead.activity(at(2))
    monkeypatch.setattr("streams.agents.lead.evolve", _raising_on(evolve, poison.event_id))
    rt = runtime(Topic())
    key = lead.lead_id.encode()
    await handle_lead_message(rt, key, encode(captured), 0, 1)
    with pytest.raises(OverflowError):  # the batch loop turns it into a rejection
        await handle_lead_message(rt, key, encode(poison), 0, 2)
    await handle_lead_message(rt, key, encode(later), 0, 3)
    logged = [decode(v) for v in rt.lead_log_topic.sent]
    assert [e.event_id for e in logged] == [captured.event_id, later.event_id]
    assert first_break(logged) == (2, None)  # the next event links after the capture


async def test_an_agreement_event_whose_fold_raises_is_not_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agreement = Agreement("AG-fold-first")
    proposed = agreement.proposed()
    real, where = evolve_agreement, "streams.agents.agreement.evolve_agreement"
    monkeypatch.setattr(where, _raising_on(real, proposed.event_id))
    rt = runtime(Topic())
    rt.agreements, rt.disputes = {}, {}
    rt.agreements_topic, rt.agreement_log_topic = AgreementsTopic(), Topic()
    rt.partner_activity_topic = Topic()
    key = agreement.agreement_id.encode()
    with pytest.raises(OverflowError):
        await handle_agreement_message(rt, key, encode(proposed), 0, 1)
    assert rt.agreement_log_topic.sent == []
    assert agreement.agreement_id not in rt.chain_heads
    monkeypatch.setattr(where, real)
    await handle_agreement_message(rt, key, encode(proposed), 0, 1)  # redelivered, healthy
    assert [decode(v).event_id for v in rt.agreement_log_topic.sent] == [proposed.event_id]
    assert agreement.agreement_id in rt.agreements


async def test_on_the_internal_intake_a_time_outside_the_range_is_rejected_unrecorded() -> None:
    """The probe's event itself: rejected with the range as its reason, never recorded."""
    lead = Lead("L-poison-intake")
    captured = lead.captured()
    body = lead.activity(at(1)).model_dump(mode="json") | {"occurred_at": "9999-12-31T23:40:00Z"}
    poison = LeadActivity.model_validate(body, context={"as_recorded": True})
    rt = runtime(Topic())
    key = lead.lead_id.encode()
    await handle_lead_message(rt, key, encode(captured), 0, 1)
    await handle_lead_message(rt, key, encode(poison), 0, 2)
    assert [decode(v).event_id for v in rt.lead_log_topic.sent] == [captured.event_id]
    [rejection] = [decode(v) for v in rt.rejections_topic.sent]
    assert isinstance(rejection, EventRejected)
    assert "outside the contract's time range" in rejection.data.reasons[0]
    assert (rt.counters.received, rt.counters.processed, rt.counters.rejected) == (2, 1, 1)
