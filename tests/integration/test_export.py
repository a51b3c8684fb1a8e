"""``export`` writes the record log as an event-log file that replays like the topics.

The file holds the events as recorded: persons sealed, each event stamped and chained.
A file replay cannot open a sealed person (it has no keys); ``replay kafka`` opens it
with the key topic's keys. Everything else is the same answer.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.chain import first_break
from schemas.jsonl import read_log
from schemas.lead_events import LeadCaptured, SealedPerson
from streams.broker.topics import LEADS, topic_name
from streams.cli.main import cli
from tests.support.kafka_io import producer, publish
from tests.support.leads import Lead, at
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration


def test_export_then_replay_equals_replay_of_kafka(
    live_worker: LiveWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    monkeypatch.setenv("LEADLEDGER_HOME", str(live_worker.home))  # the worker's keyring
    lead = Lead(f"exported-{uuid.uuid4().hex[:6]}")
    events = [lead.captured(), lead.activity(at(1), points=80), lead.assigned(at(1.5), "rep-9")]
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topic_name(LEADS, live_worker.namespace), *events)
    view = live_worker.wait_for(f"/leads/{lead.lead_id}").json()
    while view["owner"] != "rep-9":
        view = live_worker.wait_for(f"/leads/{lead.lead_id}").json()

    out = tmp_path / "export.jsonl"
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    assert "under a live key" in exported.stderr
    logged = [e for e in read_log(out) if e.subject == lead.lead_id]
    assert [e.event_id for e in logged] == [e.event_id for e in events]
    assert first_break(logged) == (3, None)  # stamped and chained by the recorder
    captured = logged[0]
    assert isinstance(captured, LeadCaptured)
    assert isinstance(captured.data.person, SealedPerson)
    assert "p@example.com" not in out.read_text()

    as_of = ["--as-of", "2026-12-01T00:00:00Z", "--lead", lead.lead_id]
    from_file = runner.invoke(cli, ["replay", str(out), *as_of])
    from_kafka = runner.invoke(cli, ["replay", "kafka", *as_of])
    assert from_file.exit_code == from_kafka.exit_code == 0
    file_view, kafka_view = json.loads(from_file.stdout), json.loads(from_kafka.stdout)
    assert kafka_view.pop("person") == {"email": "p@example.com"}
    assert file_view.pop("person") == {"sealed": True, "key_id": captured.data.person.key_id}
    assert file_view == kafka_view
    assert kafka_view["escalations"][0]["rule"] == "MQL_NOT_ACCEPTED"
