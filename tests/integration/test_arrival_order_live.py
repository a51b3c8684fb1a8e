"""Issue 17, item 2, on the real broker: an agreement's termination published before
shares made earlier in event time (a backfill) gives the live worker the escalations
and views that ``replay kafka`` gives.

The agreement is published first and its end is applied by the worker's timer on the
wall clock (its events are backdated to 2026-01..03) before the shares arrive. The
shares are dated before the end, so on event time they were out when it came: their
``PARTNER_NOT_RESPONDED`` clocks ran out 48 hours after them, before the end released
them. Nothing sleeps to wait out an SLA: every clock is already overdue.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from projections.agreement.codec import to_view as agreement_view
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.system_events import EscalationRaised
from streams.broker.topics import AGREEMENTS, ESCALATIONS, LEADS, topic_name
from streams.cli.main import cli
from tests.support.agreements import Agreement, at
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker
from tests.support.partners import SharedLead
from tests.support.views import lead_view

pytestmark = pytest.mark.integration


def _settled(live_worker: LiveWorker, path: str, want: object) -> object:
    deadline = time.monotonic() + 30
    live = live_worker.wait_for(path).json()
    while live != want and time.monotonic() < deadline:
        time.sleep(0.3)
        live = live_worker.wait_for(path).json()
    return live


def _until_ended(live_worker: LiveWorker, path: str) -> dict[str, object]:
    """The agreement's view once the worker's timer has applied its end."""
    deadline = time.monotonic() + 30
    view: dict[str, object] = live_worker.wait_for(path).json()
    while view["state"] != "TERMINATED" and time.monotonic() < deadline:
        time.sleep(0.3)
        view = live_worker.wait_for(path).json()
    return view


def test_a_backfill_with_the_termination_first_equals_replay(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = uuid.uuid4().hex[:6]
    deal = Agreement(f"AO{run}")
    one, two = SharedLead(f"{run}-L1"), SharedLead(f"{run}-L2")
    # Terminated on day 56, effective on day 86 (30 days' notice); shared on day 55.
    agreement = [deal.proposed(at(0)), *deal.signed_by_all(at(1)), deal.terminated(at(56))]
    leads: list[Envelope] = []
    for lead, hours in ((one, 0), (two, 1)):
        shared = lead.shared(at(55, hours=hours), ag=deal.agreement_id)
        leads += [lead.captured(at(54)), lead.consent(at(54)), shared]

    topics = {
        kind: topic_name(spec, live_worker.namespace)
        for kind, spec in (("agreements", AGREEMENTS), ("leads", LEADS))
    }
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topics["agreements"], *agreement)
        path = f"/agreements/{deal.agreement_id}"
        ended = _until_ended(live_worker, path)
        # The end is applied on the wall clock, before the shares arrive.
        assert (ended["state"], ended["shared_leads"]) == ("TERMINATED", [])
        publish(prod, topics["leads"], *leads)

    now = datetime.now(UTC)
    expected = replay([*agreement, *leads], now, Policy())
    wanted = {e.data.escalation_id: (e.data.rule, e.subject) for e in expected.escalations}
    mine = {k: v for k, v in wanted.items() if v[1].startswith(run)}
    assert sorted(mine.values()) == [
        ("PARTNER_NOT_RESPONDED", one.lead_id),
        ("PARTNER_NOT_RESPONDED", two.lead_id),
    ]

    def raised(found: list[Event]) -> set[str]:
        return {
            e.data.escalation_id
            for e in found
            if isinstance(e, EscalationRaised) and e.subject.startswith(run)
        }

    escalations = read_until(
        live_worker.bootstrap,
        topic_name(ESCALATIONS, live_worker.namespace),
        lambda found: raised(found) >= set(mine),
        timeout=60,
    )
    assert raised(escalations) == set(mine)

    for lead_id, lead_state in expected.leads.items():
        want = lead_view(lead_state, leads)
        assert _settled(live_worker, f"/leads/{lead_id}", want) == want, lead_id
    state = expected.agreements.get(deal.agreement_id)
    assert state is not None
    want_agreement = agreement_view(state, now)
    released = [c for c in want_agreement["history"] if c["to"] == "released"]
    assert [c["at"] for c in released] == ["2026-04-01T09:00:00Z"] * 2  # at the end
    assert _settled(live_worker, path, want_agreement) == want_agreement

    # The auditor's path: the record log, read back in event-time order.
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    as_of = ["--as-of", now.isoformat()]
    answer = CliRunner().invoke(cli, ["replay", "kafka", *as_of, "--escalations"])
    assert answer.exit_code == 0, answer.stderr
    rows = [r for r in json.loads(answer.stdout) if r["subject"].startswith(run)]
    assert {r["escalation_id"] for r in rows} == set(mine)
    answer = CliRunner().invoke(
        cli, ["replay", "kafka", *as_of, "--agreement", path.rsplit("/", maxsplit=1)[-1]]
    )
    assert answer.exit_code == 0, answer.stderr
    assert json.loads(answer.stdout) == live_worker.get(path).json()
