"""The lead agent records what it accepts: sealed, stamped, chained, and shreds on erasure.

The shell with fake topics: what goes to ``lead-log``, what a rejection keeps, what
the key and person tables hold, and the order erasure needs (state, then the key).
"""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime
from typing import Any

from projections.chain import first_break
from projections.lead.fold import state_from_json
from schemas.codec import decode, encode
from schemas.envelope import Recorded
from schemas.lead_events import LeadCaptured, Person, SealedPerson
from schemas.system_events import EventRejected
from streams.agents.lead import handle_lead_message
from streams.delivery.recorder import INTAKE_HEADER
from streams.personal_data.worker import person_in_view
from tests.streams.agents.test_clock_send_order import Topic
from tests.streams.agents.test_lead_send_order import runtime
from tests.support.delivery import delivered
from tests.support.leads import Lead, at
from tests.support.partners import SharedLead

RECORDED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EMAIL = "grace.distinct@pii.example"


class LogTopic(Topic):
    def __init__(self) -> None:
        super().__init__()
        self.headers: list[Any] = []

    async def send(self, *, key: bytes, value: bytes, **extra: Any) -> asyncio.Future[Any]:
        self.sent.append(value)
        self.headers.append(extra.get("headers"))
        return delivered()


def _rt() -> Any:
    rt = runtime(Topic())
    rt.lead_log_topic = LogTopic()
    rt.clock = lambda: RECORDED_AT
    return rt


def _captured(lead: Lead) -> LeadCaptured:
    plain = lead.captured()
    person = Person(email=EMAIL, first_name="Gracelyn", job_title="CTO")
    return plain.model_copy(update={"data": plain.data.model_copy(update={"person": person})})


async def _send(rt: Any, event: Any, offset: int, key: str | None = None) -> None:
    await handle_lead_message(rt, (key or event.subject).encode(), encode(event), 2, offset)


async def test_accepted_events_are_sealed_stamped_and_chained_on_the_lead_log() -> None:
    rt, lead = _rt(), Lead("L-rec")
    forged = Recorded(recorded_at=RECORDED_AT, prev_hash="x", hash="forged")
    activity = lead.activity(at(1), "webinar").model_copy(update={"record": forged})
    captured_in = _captured(lead)
    await _send(rt, captured_in, 10)
    await _send(rt, activity, 11)
    await _send(rt, activity, 12)  # a duplicate: applied once, recorded once
    logged = [decode(v) for v in rt.lead_log_topic.sent]
    assert [e.event_id for e in logged] == [captured_in.event_id, activity.event_id]
    assert first_break(logged) == (2, None)  # the partner's forged record was replaced
    assert all(e.record is not None and e.record.recorded_at == RECORDED_AT for e in logged)
    assert rt.lead_log_topic.headers == [[(INTAKE_HEADER, b"2:10")], [(INTAKE_HEADER, b"2:11")]]
    captured = logged[0]
    assert isinstance(captured, LeadCaptured)
    assert isinstance(captured.data.person, SealedPerson)
    assert EMAIL.encode() not in rt.lead_log_topic.sent[0]
    state = state_from_json(rt.leads[lead.lead_id])
    assert (state.job_title, state.score) == ("CTO", rt.policy.activity_points["webinar"])
    assert person_in_view(rt, lead.lead_id, erased=False) == {
        "email": EMAIL,
        "first_name": "Gracelyn",
        "job_title": "CTO",
    }
    assert rt.counters.processed == 3
    assert rt.counters.duplicates == 1


async def test_a_rejection_keeps_the_person_sealed_never_in_clear() -> None:
    rt, lead = _rt(), Lead("L-rej")
    await _send(rt, _captured(lead), 1)
    again = _captured(lead)
    await _send(rt, again.model_copy(update={"event_id": "second-capture"}), 2)  # refused
    await _send(rt, again, 3, key="someone-else")  # mis-keyed
    rejections = [decode(v) for v in rt.rejections_topic.sent]
    assert len(rejections) == 2
    for rejection in rejections:
        assert isinstance(rejection, EventRejected)
        assert rejection.data.original
        original = base64.b64decode(rejection.data.original)
        assert EMAIL.encode() not in original
        kept = decode(original)
        assert isinstance(kept, LeadCaptured)
        assert isinstance(kept.data.person, SealedPerson)


async def test_an_erasure_deletes_the_key_after_the_state_records_it() -> None:
    rt, lead = _rt(), Lead("L-erase")
    await _send(rt, _captured(lead), 1)
    assert lead.lead_id in rt.lead_keys
    request = SharedLead(lead.lead_id).erasure_requested(at(2), "REQ-1")
    await _send(rt, request, 2)
    state = state_from_json(rt.leads[lead.lead_id])
    assert state.erasure is not None  # the state recorded it ...
    assert lead.lead_id not in rt.lead_keys  # ... and the key is gone
    assert lead.lead_id not in rt.lead_persons
    assert person_in_view(rt, lead.lead_id, erased=True) == {"erased": True}
    await _send(rt, request, 3)  # a redelivery shreds again, harmlessly
    assert [decode(v).event_id for v in rt.lead_log_topic.sent][-1] == request.event_id
