"""Agreements and disputes on the real broker and a real worker equal replay.

The events are backdated (2025), so every review, expiry and dispute-step clock is
already overdue: the live worker raises them from its timer or before the next event,
on event time, and must give the views and escalation ids an auditor's replay gives. Nothing
sleeps to wait out an SLA. Bad agreement events land on the rejections topic with
their reasons.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projections.agreement.codec import to_view
from projections.dispute.state import dispute_view
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.system_events import EscalationRaised, EventRejected
from streams.broker.topics import AGREEMENTS, ESCALATIONS, REJECTIONS, topic_name
from tests.support.agreements import Agreement, terms
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def scenario(ag: Agreement) -> tuple[list[Envelope], list[Envelope], list[Envelope]]:
    """An agreement reviewed monthly that expired, a dispute run to its last step, one
    escalated by hand and resolved, and two events the folds refuse."""
    the_terms = terms(
        effective_from=START,
        expires_at=day(100),
        review_every_months=1,
        disputes={"steps": ["negotiation", "mediation"], "step_days": 3},
    )
    agreement = [ag.proposed(START, the_terms), ag.signed(day(1), "gen"), ag.signed(day(2), "rec")]
    settled = f"{ag.agreement_id}-S"
    dispute: list[Envelope] = [
        ag.dispute_opened(day(10), dispute=f"{ag.agreement_id}-D", lead="L9"),
        ag.dispute_opened(day(20), dispute=settled),
        ag.dispute_escalated(day(21), dispute=settled),
        ag.dispute_resolved(day(22), dispute=settled, outcome="credit note"),
    ]
    bad = [ag.signed(day(3), "stranger"), Agreement("nowhere").dispute_opened(day(4), "x-D")]
    return agreement, dispute, bad


def _expected(
    ag: Agreement, events: list[Envelope], now: datetime
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], set[str], dict[str, str]]:
    """What an auditor's replay answers: views, escalation ids, rejection reasons."""
    result = replay(events, now, Policy())
    state = result.agreements.get(ag.agreement_id)
    assert state is not None
    ids = {
        e.data.escalation_id for e in result.escalations if e.subject.startswith(ag.agreement_id)
    }
    disputed = {d: dispute_view(result.disputes[f"{ag.agreement_id}-{d}"]) for d in "DS"}
    return to_view(state, now), disputed, ids, dict(result.rejections)


def _settled(live_worker: LiveWorker, path: str, want: object) -> object:
    deadline = time.monotonic() + 20
    live = live_worker.wait_for(path).json()
    while live != want and time.monotonic() < deadline:
        time.sleep(0.3)
        live = live_worker.wait_for(path).json()
    return live


def test_agreements_and_disputes_live_equal_replay(live_worker: LiveWorker) -> None:
    ag = Agreement(f"A{uuid.uuid4().hex[:6]}")
    agreement, dispute, bad = scenario(ag)
    topic = topic_name(AGREEMENTS, live_worker.namespace)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topic, *agreement)
        live_worker.wait_for(f"/agreements/{ag.agreement_id}")
        publish(prod, topic, *dispute, *bad)

    everything = [*agreement, *dispute, *bad]
    want_agreement, want_dispute, want_ids, reasons = _expected(ag, everything, datetime.now(UTC))
    rules = sorted(e["rule"] for e in want_agreement["escalations"])
    assert rules == ["AGREEMENT_EXPIRING"] + ["AGREEMENT_REVIEW_DUE"] * 3
    assert want_agreement["state"] == "EXPIRED"
    assert len(want_dispute["D"]["escalations"]) == 2
    assert (want_dispute["S"]["status"], want_dispute["S"]["step"]) == ("RESOLVED", "mediation")

    path = f"/agreements/{ag.agreement_id}"
    assert _settled(live_worker, path, want_agreement) == want_agreement
    for name, want in want_dispute.items():
        dispute_path = f"/disputes/{ag.agreement_id}-{name}"
        assert _settled(live_worker, dispute_path, want) == want

    def mine(found: list[Event]) -> set[str]:
        return {
            e.data.escalation_id
            for e in found
            if isinstance(e, EscalationRaised) and e.subject.startswith(ag.agreement_id)
        }

    raised = read_until(
        live_worker.bootstrap,
        topic_name(ESCALATIONS, live_worker.namespace),
        lambda found: mine(found) >= want_ids,
        timeout=60,
    )
    assert mine(raised) == want_ids

    def refused(found: list[Event]) -> dict[str, list[str]]:
        return {
            e.data.rejected_event_id: e.data.reasons
            for e in found
            if isinstance(e, EventRejected) and e.data.rejected_event_id is not None
        }

    wanted = {
        bad[0].event_id: [f"stranger is not a party to agreement {ag.agreement_id}"],
        bad[1].event_id: ["dispute on unknown agreement nowhere"],
    }
    assert {event_id: [reasons[event_id]] for event_id in wanted} == wanted  # replay agrees
    rejections = read_until(
        live_worker.bootstrap,
        topic_name(REJECTIONS, live_worker.namespace),
        lambda found: wanted.items() <= refused(found).items(),
    )
    assert wanted.items() <= refused(rejections).items()
    counters = live_worker.stats()["counters"]
    assert counters["received"] == counters["processed"] + counters["rejected"]
