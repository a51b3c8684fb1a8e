"""The partnership golden log through the real worker equals replay: partner views,
agreement views, lead views and escalation ids.

The log is published in its own order, topic by topic: a run of agreement events goes
to the agreements topic, a run of lead events to the leads topic, and the next run is
published only once the live views equal replay of what was published so far. That is
the documented ordering guarantee (a share sees every agreement event the broker
acknowledged before it was read); nothing sleeps to wait out an SLA, the events are
backdated to 2026-02..03 so their clocks are overdue on the worker's wall clock.

A clock that a later run would stop must not be due before the wall clock: the live
timer would raise it between runs, which an event-time replay of the whole log does
not (events published months late are not what the guarantee covers). So AG-3, which
is terminated in the last run, is reviewed yearly (due after today), not half-yearly.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby

import pytest
from typer.testing import CliRunner

from projections.agreement.codec import to_view as agreement_view
from projections.partner_view.fold import section, to_view
from projections.replay import KIND_OF, ReplayResult, replay
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.system_events import EscalationRaised, LeadShareRejected
from streams.broker.topics import AGREEMENTS, ESCALATIONS, LEADS, REJECTIONS, topic_name
from streams.cli.main import cli
from tests.golden.load import golden
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker
from tests.support.views import lead_view

pytestmark = pytest.mark.integration
CASE = golden("partnership")


def topic_of(event: Envelope) -> str:
    return "leads" if KIND_OF.get(type(event)) == "lead" else "agreements"


def runs(events: Sequence[Envelope]) -> Iterator[tuple[str, list[Envelope]]]:
    for topic, run in groupby(events, key=topic_of):
        yield topic, list(run)


def views_of(result: ReplayResult, now: datetime, events: Sequence[Envelope]) -> dict[str, object]:
    wanted: dict[str, object] = {
        f"/leads/{k}": lead_view(v, events) for k, v in result.leads.items()
    }
    for state in result.agreements.all():
        wanted[f"/agreements/{state.agreement_id}"] = agreement_view(state, now)
    for partner, view in result.partners.items():
        wanted[f"/partners/{partner}"] = to_view(view)
    return wanted


def settle(live_worker: LiveWorker, wanted: dict[str, object], timeout: float = 90) -> None:
    """Wait until every live view equals replay's; fail naming the first that differs."""
    deadline = time.monotonic() + timeout
    while True:
        live = {path: live_worker.wait_for(path).json() for path in wanted}
        if live == wanted:
            return
        if time.monotonic() > deadline:
            path = next(p for p in wanted if live[p] != wanted[p])
            diff = difflib.unified_diff(
                json.dumps(wanted[path], indent=1).splitlines(),
                json.dumps(live[path], indent=1).splitlines(),
                "replay",
                "live",
                lineterm="",
            )
            shown = "\n".join(list(diff)[:80])
            stats = json.dumps(live_worker.stats(), indent=1)
            pytest.fail(
                f"{path} live differs from replay:\n{shown}\n{stats}\n{live_worker.log_tail()}"
            )
        time.sleep(0.4)


def test_partnership_live_equals_replay(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
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
            settle(live_worker, views_of(replay(published, now, CASE.policy), now, published))
    now = datetime.now(UTC)
    expected = replay(CASE.events, now, CASE.policy)
    settle(live_worker, views_of(expected, now, CASE.events))
    assert set(expected.partners) == {"acme", "globex", "initech", "umbrella"}

    subjects = set(expected.leads) | set(expected.disputes) | set(expected.agreements)
    wanted = {e.data.escalation_id for e in expected.escalations}

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
    rules = {e.data.rule for e in expected.escalations}
    assert {"PARTNER_NOT_RESPONDED", "COMMISSION_OVERDUE", "ERASURE_OVERDUE"} <= rules

    # Each refused share is on the rejections topic once, with every reason replay gives.
    refused = dict(expected.rejections)
    shares = {event_id for event_id, _ in expected.rejections if "LeadShared" in event_id}

    def share_rejections(found: list[Event]) -> dict[str, str]:
        return {
            e.data.share_event_id: "; ".join(e.data.reasons)
            for e in found
            if isinstance(e, LeadShareRejected) and e.data.share_event_id in shares
        }

    found = read_until(
        live_worker.bootstrap,
        topic_name(REJECTIONS, live_worker.namespace),
        lambda f: set(share_rejections(f)) >= shares,
    )
    assert share_rejections(found) == {event_id: refused[event_id] for event_id in shares}
    assert len(shares) == 3
    counters = live_worker.stats()["counters"]
    assert counters["received"] == counters["processed"] + counters["rejected"]

    # The recorder's own record log, with whatever else this session sent through the
    # worker: every link holds (issue 5, tamper-evident history).
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    verified = CliRunner().invoke(cli, ["verify", "kafka"])
    assert verified.exit_code == 0, verified.stdout
    assert verified.stdout.startswith("history intact: ")
    assert int(verified.stdout.split()[2]) >= len(CASE.events)


def test_partner_sub_resources_and_isolation(live_worker: LiveWorker) -> None:
    globex = live_worker.wait_for("/partners/globex", timeout=60).json()
    for part in ("received", "shared", "commissions", "disputes", "kpis"):
        body = live_worker.wait_for(f"/partners/globex/{part}").json()
        assert body == section(globex, part)
    # Asking for umbrella shows nothing of globex's, acme's or initech's other leads.
    umbrella = live_worker.wait_for("/partners/umbrella").text
    for foreign in ("L-100", "L-300", "L-400", "globex", "initech", "AG-1", "AG-3"):
        assert foreign not in umbrella
    assert live_worker.get("/partners/nobody").status_code == 404
    assert live_worker.get("/partners/globex/secrets").status_code == 404


def test_replay_of_the_live_topics_gives_the_live_partner_view(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The auditor's path: ``replay kafka --partner`` over the topics the worker read."""
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    live = live_worker.wait_for("/partners/globex", timeout=60).json()
    as_of = ["--as-of", datetime.now(UTC).isoformat()]
    runner = CliRunner()
    partner = runner.invoke(cli, ["replay", "kafka", *as_of, "--partner", "globex"])
    assert partner.exit_code == 0, partner.stderr
    assert json.loads(partner.stdout) == live
    # Bitemporal, over what the worker recorded: known now, the same answer; known
    # before the worker recorded anything, there is no such partner yet.
    known_now = ["--known-at", as_of[1]]
    known = runner.invoke(cli, ["replay", "kafka", *known_now, "--partner", "globex"])
    assert known.exit_code == 0, known.stderr
    assert json.loads(known.stdout) == live
    before = ["--known-at", "2001-01-01T00:00:00Z", *as_of]
    unknown = runner.invoke(cli, ["replay", "kafka", *before, "--partner", "globex"])
    assert unknown.exit_code == 1
    assert "no partner 'globex'" in unknown.stderr
    agreement = runner.invoke(cli, ["replay", "kafka", *as_of, "--agreement", "AG-3"])
    body = json.loads(agreement.stdout)
    assert (body["state"], body["signed_by"]) == ("TERMINATED", ["globex", "initech"])
