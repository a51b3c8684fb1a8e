"""``export`` writes the live topics as an event-log file that replays like the topics."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schemas.jsonl import read_log
from streams.cli import cli
from streams.topics import LEADS, topic_name
from tests.kafka_io import producer, publish
from tests.leads import Lead, at

pytestmark = pytest.mark.integration


def test_export_then_replay_equals_replay_of_kafka(
    kafka_bootstrap: str,
    created_topics: list[str],
    test_namespace: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", test_namespace)
    lead = Lead("exported-1")
    events = [lead.captured(), lead.activity(at(1), points=80), lead.assigned(at(1.5), "rep-9")]
    with producer(kafka_bootstrap) as prod:
        publish(prod, topic_name(LEADS, test_namespace), *events)

    out = tmp_path / "export.jsonl"
    runner = CliRunner()
    exported = runner.invoke(cli, ["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    logged = list(read_log(out))
    assert [e for e in logged if e.subject == "exported-1"] == events

    as_of = ["--as-of", "2026-12-01T00:00:00Z", "--lead", "exported-1"]
    from_file = runner.invoke(cli, ["replay", str(out), *as_of])
    from_kafka = runner.invoke(cli, ["replay", "kafka", *as_of])
    assert from_file.exit_code == from_kafka.exit_code == 0
    assert json.loads(from_file.stdout) == json.loads(from_kafka.stdout)
    assert json.loads(from_kafka.stdout)["escalations"][0]["rule"] == "MQL_NOT_ACCEPTED"
