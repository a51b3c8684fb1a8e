"""Live equals replay: the same log through the real worker and through ``replay``.

The events are backdated (November 2026, before the test runs), so their clocks are
already overdue: the live worker raises them from its timer or before the next event,
on event time, and must give the escalations and lead states that replay gives.
Nothing sleeps to wait out an SLA.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from projections.policy import Policy
from projections.replay import replay_leads
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.system_events import EscalationRaised, NotificationRaised
from streams.broker.topics import ESCALATIONS, LEADS, NOTIFICATIONS, topic_name
from tests.support.kafka_io import producer, publish, read_until
from tests.support.leads import Lead, at
from tests.support.live_worker import LiveWorker
from tests.support.views import lead_view

pytestmark = pytest.mark.integration


def scenario(run: str) -> list[Envelope]:
    """Five leads that breach each lead clock the default policy runs, and one that doesn't."""
    unassigned, late, converted, remarket, junk = (Lead(f"{run}-{n}") for n in range(5))
    return [
        unassigned.captured(),
        unassigned.activity(at(1), "demo_request", points=80),  # MQL_NOT_ASSIGNED at +2h
        late.captured(),
        late.activity(at(1), points=90),
        late.assigned(at(1.5), "rep-1"),  # MQL_NOT_ACCEPTED at +49.5h
        converted.captured(),
        converted.activity(at(1), points=76),
        converted.assigned(at(1.2), "rep-2"),
        converted.status(at(3), "SAL"),
        converted.status(at(4), "SQL"),
        converted.converted(at(5), opportunity="opp-1"),  # nothing overdue
        remarket.captured(),
        remarket.activity(at(1), points=80),
        remarket.assigned(at(1.1), "rep-3"),
        remarket.status(at(2), "REMARKET"),
        remarket.activity(at(30), "demo_request", points=50),  # MQL again: new 48 h clock
        junk.captured(),
        junk.activity(at(1), points=80),
        junk.status(at(1.5), "JUNK"),  # stops MQL_NOT_ASSIGNED in time
        junk.activity(at(2), "webinar"),
    ]


def test_live_worker_equals_replay(live_worker: LiveWorker) -> None:
    run = f"g{uuid.uuid4().hex[:6]}"
    events = scenario(run)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topic_name(LEADS, live_worker.namespace), *events)

    expected = replay_leads(events, datetime.now(UTC), Policy())
    wanted = {(e.data.rule, e.subject, e.data.due_at) for e in expected.escalations}
    assert len(wanted) == 3  # the scenario breaches three clocks

    def mine(found: list[Event]) -> set[tuple[str, str, datetime]]:
        return {
            (e.data.rule, e.subject, e.data.due_at)
            for e in found
            if isinstance(e, EscalationRaised) and e.subject.startswith(run)
        }

    raised = read_until(
        live_worker.bootstrap,
        topic_name(ESCALATIONS, live_worker.namespace),
        lambda found: mine(found) >= wanted,
        timeout=60,
    )
    assert mine(raised) == wanted
    ids = [
        e.data.escalation_id
        for e in raised
        if isinstance(e, EscalationRaised) and e.subject.startswith(run)
    ]
    assert sorted(set(ids)) == sorted(e.data.escalation_id for e in expected.escalations)

    for lead_id, state in expected.leads.items():
        want = lead_view(state, events)
        deadline = time.monotonic() + 20
        live = live_worker.wait_for(f"/leads/{lead_id}").json()
        while live != want and time.monotonic() < deadline:
            time.sleep(0.3)
            live = live_worker.wait_for(f"/leads/{lead_id}").json()
        assert live == want, lead_id

    listed = live_worker.get("/escalations?since=2026-11-01T00:00:00Z").json()
    assert {(r["rule"], r["subject"]) for r in listed if r["subject"].startswith(run)} == {
        (rule, subject) for rule, subject, _ in wanted
    }
    overflowing = live_worker.get("/escalations?since=9999-12-31T23:59:59-23:59")
    assert overflowing.status_code == 400  # a 400 that says why, never a 500
    assert "outside years 1-9999" in overflowing.json()["error"]

    notes = read_until(
        live_worker.bootstrap,
        topic_name(NOTIFICATIONS, live_worker.namespace),
        lambda found: (
            sum(isinstance(e, NotificationRaised) and e.subject.startswith(run) for e in found) >= 6
        ),
    )
    kinds = {
        e.data.kind
        for e in notes
        if isinstance(e, NotificationRaised) and e.subject.startswith(run)
    }
    assert kinds == {"mql_to_sales"}
