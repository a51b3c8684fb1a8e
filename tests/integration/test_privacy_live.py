"""The privacy golden log through the real worker: the live compliance views equal
replay's, and ``replay kafka --privacy`` equals the live lead view.

Published like the partnership log (tests/integration/test_partnership_live.py): a run
of agreement events, then the lead events, each run only once the live views equal
replay of what was published. The events are backdated to 2026-03..06, so the erasure
and retention clocks are overdue on the worker's wall clock: nothing sleeps out an SLA.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from projections.compliance.partner import partner_privacy
from projections.compliance.views import agreement_privacy, lead_privacy
from projections.replay import ReplayResult, replay
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.system_events import EscalationRaised
from streams.broker.topics import AGREEMENTS, ESCALATIONS, LEADS, topic_name
from streams.cli.main import cli
from tests.golden.load import golden
from tests.integration.test_partnership_live import runs, settle
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
CASE = golden("privacy")


def compliance_views(result: ReplayResult, now: datetime) -> dict[str, object]:
    wanted: dict[str, object] = {
        f"/privacy/leads/{k}": lead_privacy(v, result.agreements) for k, v in result.leads.items()
    }
    for state in result.agreements.all():
        wanted[f"/privacy/agreements/{state.agreement_id}"] = agreement_privacy(state, now)
    for partner, view in result.privacy.items():
        wanted[f"/privacy/partners/{partner}"] = partner_privacy(view)
    return wanted


def test_privacy_live_equals_replay(live_worker: LiveWorker) -> None:
    topics = {
        "leads": topic_name(LEADS, live_worker.namespace),
        "agreements": topic_name(AGREEMENTS, live_worker.namespace),
    }
    published: list[Envelope] = []
    with producer(live_worker.bootstrap) as prod:
        for topic, run in runs(CASE.events):
            publish(prod, topics[topic], *run)
            published += run
            now = datetime.now(UTC)
            settle(live_worker, compliance_views(replay(published, now, CASE.policy), now))
    now = datetime.now(UTC)
    expected = replay(CASE.events, now, CASE.policy)
    settle(live_worker, compliance_views(expected, now))
    # What the golden answer says, live: fabrikam still holds P-1 and P-2.
    fabrikam = live_worker.wait_for("/privacy/partners/fabrikam").json()
    assert fabrikam["holds_leads"] == ["P-1", "P-2"]
    p1 = live_worker.wait_for("/privacy/leads/P-1").json()
    assert (p1["erased"], p1["holders"], p1["erasure"]["outstanding"]) == (
        True,
        ["fabrikam"],
        ["fabrikam"],
    )
    assert live_worker.get("/privacy/leads/nobody").status_code == 404
    assert live_worker.get("/privacy/partners/nobody").status_code == 404

    # The erasure and retention escalations are raised live with replay's ids.
    subjects = set(expected.leads)
    wanted = {e.data.escalation_id for e in expected.escalations if e.subject in subjects}

    def raised(found: list[Event]) -> set[str]:
        return {
            e.data.escalation_id
            for e in found
            if isinstance(e, EscalationRaised) and e.subject in subjects
        }

    found = read_until(
        live_worker.bootstrap,
        topic_name(ESCALATIONS, live_worker.namespace),
        lambda f: raised(f) >= wanted,
        timeout=40,
    )
    assert raised(found) == wanted
    rules = {e.data.rule for e in expected.escalations if e.subject in subjects}
    assert rules == {"ERASURE_OVERDUE", "RETENTION_EXPIRED"}


def test_replay_of_the_live_topics_gives_the_live_compliance_view(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The auditor's path: ``replay kafka --privacy ID`` over the topics the worker read."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    as_of = ["--as-of", datetime.now(UTC).isoformat()]
    runner = CliRunner()
    for lead_id in sorted(CASE.expected["privacy"]):
        live = live_worker.wait_for(f"/privacy/leads/{lead_id}", timeout=60).json()
        replayed = runner.invoke(cli, ["replay", "kafka", *as_of, "--privacy", lead_id])
        assert replayed.exit_code == 0, replayed.stderr
        assert json.loads(replayed.stdout) == live
