"""``leadledger verify kafka`` on the real broker: intact, then a tampered copy is caught."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from typer.testing import CliRunner

from schemas.lead_events import LeadActivity, LeadActivityData
from streams.cli.main import cli
from streams.readback.record_log import record_log_topics
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish
from tests.support.leads import Lead, at
from tests.support.recorded import recorded

pytestmark = pytest.mark.integration


def test_verify_kafka_catches_a_tampered_copy(
    kafka_bootstrap: str, test_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A namespace of its own: the live worker of other tests appends to the session's
    # record log, and this test must know exactly what its topics hold.
    namespace = f"{test_namespace}-verify"
    lead_log, agreement_log = record_log_topics(namespace)
    admin = KafkaAdminClient(**kafka_config(kafka_bootstrap))
    try:
        admin.create_topics([NewTopic(t, 3, 1) for t in (lead_log, agreement_log)])
    finally:
        admin.close()
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", namespace)
    one, two = Lead("V1"), Lead("V2")
    log = recorded(
        [one.captured(), two.captured(), one.activity(at(1), points=80), one.assigned(at(2), "r")]
    )
    with producer(kafka_bootstrap) as prod:
        publish(prod, lead_log, *log)
    runner = CliRunner()

    intact = runner.invoke(cli, ["verify", "kafka"])
    assert (intact.exit_code, intact.stdout) == (
        0,
        "history intact: 4 events (4 accepted, 0 refused), 2 subjects\n",
    )

    activity = log[2]
    assert isinstance(activity, LeadActivity)
    forged = activity.model_copy(update={"data": LeadActivityData(activity="demo", points=99)})
    with producer(kafka_bootstrap) as prod:
        publish(prod, lead_log, forged)
    broken = runner.invoke(cli, ["verify", "kafka"])
    assert broken.exit_code == 1
    assert f"{lead_log}[" in broken.stdout
    assert f"event {activity.event_id!r}, subject 'V1'" in broken.stdout
    assert "changed after it was recorded" in broken.stdout


def test_verify_kafka_without_the_topics_is_a_usage_error(
    kafka_bootstrap: str, test_namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", f"{test_namespace}-none")
    result = CliRunner().invoke(cli, ["verify", "kafka"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
