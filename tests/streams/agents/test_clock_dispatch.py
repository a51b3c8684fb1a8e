"""The clock agent's dispatch, on in-memory tables and topics: a ``DeadlineDue`` reaches
the fold its ``aggregate`` names, and the cross-aggregate commands are applied or
rejected with their reason (counted apart from partner input)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.state import AgreementBook
from projections.policy import Policy
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.partner_system_events import SharedLeadReleased, SharedLeadReleasedData
from schemas.system_events import (
    DeadlineCancelled,
    DeadlineCancelledData,
    DeadlineScheduled,
    DeadlineScheduledData,
    EscalationRaised,
    EventRejected,
)
from streams.agents.clock import apply_due, deadline_due
from streams.runtime import Runtime
from streams.state import deadline_index
from tests.support.agreements import T0, Agreement, at, fold
from tests.support.delivery import delivered


@dataclass
class FakeTopic:
    name: str
    sent: list[Envelope] = field(default_factory=list)

    def get_topic_name(self) -> str:
        return self.name

    async def send(self, key: bytes, value: bytes) -> asyncio.Future[Any]:
        self.sent.append(decode(value))
        return delivered()


def _runtime() -> Runtime:
    topics = {n: FakeTopic(n) for n in ("leads", "clocks", "rej", "esc", "notes", "act")}
    return Runtime(
        app=None,
        settings=None,  # type: ignore[arg-type]
        policy=Policy(),
        leads_topic=topics["leads"],
        clocks_topic=topics["clocks"],
        rejections_topic=topics["rej"],
        escalations_topic=topics["esc"],
        notifications_topic=topics["notes"],
        leads={},
        deadlines={},
        escalations={},
        partner_activity_topic=topics["act"],
        agreements={},
        disputes={},
        book=AgreementBook(),
    )


def _sent(topic: Any) -> list[Envelope]:
    found: list[Envelope] = topic.sent
    return found


async def test_a_due_agreement_clock_advances_the_agreement() -> None:
    rt = _runtime()
    ag = Agreement()
    state, _, _ = fold([ag.proposed(T0), *ag.signed_by_all(at(1))])
    assert state is not None
    rt.agreements["AG1"] = agreement_to_json(state)
    review = next(c for c in state.clocks if c.rule == "AGREEMENT_REVIEW_DUE")
    deadline_index.add(rt.deadlines, 2, "AG1", review.due_at, "agreement")
    await apply_due(rt, encode(deadline_due("AG1", review.due_at, "agreement")), 2, 7)
    [raised] = _sent(rt.escalations_topic)
    assert isinstance(raised, EscalationRaised)
    assert (raised.subject, raised.data.rule) == ("AG1", "AGREEMENT_REVIEW_DUE")
    advanced = agreement_from_json(rt.agreements["AG1"])
    assert [e.rule for e in advanced.escalations] == ["AGREEMENT_REVIEW_DUE"]
    # The next review is indexed under the agreement, the one that fired is forgotten.
    entries = [
        entry
        for key in list(rt.deadlines)
        for entry in deadline_index.due_entries(rt.deadlines, key, at(1000))
    ]
    assert ("AG1", "agreement") in {(subject, aggregate) for _, subject, aggregate in entries}
    assert review.due_at not in {due for due, _, _ in entries}


async def test_share_recorded_reaches_the_agreement() -> None:
    rt = _runtime()
    ag = Agreement()
    state, _, _ = fold([ag.proposed(T0), *ag.signed_by_all(at(1))])
    assert state is not None
    rt.agreements["AG1"] = agreement_to_json(state)
    await apply_due(rt, encode(ag.share(at(2), "L1")), 2, 8)
    assert agreement_from_json(rt.agreements["AG1"]).shared_leads == (("L1", "rec", "admitted"),)
    assert rt.counters.commands_applied == 1
    assert rt.counters.received == rt.counters.processed + rt.counters.rejected == 0


async def test_a_refused_command_is_rejected_with_its_reason() -> None:
    rt = _runtime()
    release = SharedLeadReleased(
        event_id="rel-1",
        subject="ghost-lead",
        occurred_at=at(5),
        source="leadledger",
        data=SharedLeadReleasedData(
            agreement_id="AG1",
            to_partner="rec",
            handling="return",
            effective_at=at(5),
            erasure_within_days=30,
        ),
    )
    await apply_due(rt, encode(release), 4, 9)
    await apply_due(rt, encode(Agreement("NOPE").share(at(2), "L1")), 4, 10)
    rejected = [e for e in _sent(rt.rejections_topic) if isinstance(e, EventRejected)]
    assert [(r.subject, r.data.reasons, r.data.offset) for r in rejected] == [
        ("ghost-lead", ["SharedLeadReleased for unknown lead ghost-lead"], 9),
        ("NOPE", ["ShareRecorded for unknown agreement NOPE"], 10),
    ]
    assert rejected[0].event_id != rejected[1].event_id
    assert rt.counters.commands_refused == 2


async def test_the_timers_audit_trail_is_passed_over_undecoded(monkeypatch: Any) -> None:
    rt = _runtime()
    rt.leads["L1"] = b"a state the audit trail must not touch"
    scheduled = DeadlineScheduled(
        event_id="d1",
        subject="L1",
        occurred_at=T0,
        source="leadledger",
        data=DeadlineScheduledData(
            clock_id="c1",
            rule="MQL_NOT_ASSIGNED",
            started_at=T0,
            due_at=at(1),
            policy_version="p1",
        ),
    )
    cancelled = DeadlineCancelled(
        event_id="d2",
        subject="L1",
        occurred_at=T0,
        source="leadledger",
        data=DeadlineCancelledData(clock_id="c1", rule="MQL_NOT_ASSIGNED", reason="assigned"),
    )
    payloads = [encode(scheduled), encode(cancelled)]

    def must_not_decode(payload: bytes) -> Envelope:
        raise AssertionError("decoded an audit-trail message")

    monkeypatch.setattr("streams.agents.clock.decode", must_not_decode)
    for offset, payload in enumerate(payloads):
        await apply_due(rt, payload, 2, offset)
    assert rt.leads == {"L1": b"a state the audit trail must not touch"}
    assert [*_sent(rt.escalations_topic), *_sent(rt.rejections_topic)] == []
    assert rt.counters.commands_applied == rt.counters.rejected == 0
