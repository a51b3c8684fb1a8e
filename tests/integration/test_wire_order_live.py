"""Issue 16 on a real broker: what was written in the old header order still works,
and a fingerprint nobody has gets a rejection that says what was read.

Before issue 16 leadledger wrote the fingerprint byte-reversed. Intake (the agreements
topic is folded whole at every worker start), record logs and changelogs hold such
messages: the worker still applies them, and ``verify``, ``replay`` and ``export``
still read them. The hash chain covers each event's canonical JSON, not its bytes, so
old record logs verify as they did.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import avro.schema
import pytest
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from typer.testing import CliRunner

from projections.policy import Policy
from projections.replay import replay
from schemas.avro_schemas import latest
from schemas.codec import HEADER_SIZE, MAGIC, decode, encode
from schemas.events import Event
from schemas.jsonl import read_log
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person
from schemas.system_events import EventRejected
from streams.broker.topics import (
    AGREEMENTS,
    KEY_TABLE,
    LEADS,
    REJECTIONS,
    changelog_name,
    topic_name,
)
from streams.cli.main import cli
from tests.golden.legacy_order import legacy_records
from tests.golden.load import GOLDEN
from tests.integration.test_partnership_live import settle, views_of
from tests.support.every_type import every_partner_type, intake_of
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish_raw, read_raw_to_end, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration


def old_order(payload: bytes) -> bytes:
    """The message as leadledger wrote it before issue 16."""
    return MAGIC + payload[2:HEADER_SIZE][::-1] + payload[HEADER_SIZE:]


def test_the_worker_applies_intake_written_in_the_old_order(live_worker: LiveWorker) -> None:
    tag = f"o{uuid.uuid4().hex[:6]}"
    events = every_partner_type(tag)
    topics = {
        "leads": topic_name(LEADS, live_worker.namespace),
        "agreements": topic_name(AGREEMENTS, live_worker.namespace),
    }
    published: list[Any] = []
    with producer(live_worker.bootstrap) as prod:
        for topic, run in groupby(events, key=intake_of):
            for event in run:
                publish_raw(prod, topics[topic], event.subject.encode(), old_order(encode(event)))
                published.append(event)
            now = datetime.now(UTC)
            settle(live_worker, views_of(replay(published, now, Policy()), now, published))
    now = datetime.now(UTC)
    expected = replay(events, now, Policy())
    assert expected.rejections == []
    settle(live_worker, views_of(expected, now, events))
    subjects = {e.subject for e in events}
    rejections = read_raw_to_end(
        live_worker.bootstrap, topic_name(REJECTIONS, live_worker.namespace)
    )
    assert not [v for _, v in rejections if decode(v).subject in subjects]


def test_a_python_avro_fingerprint_is_rejected_saying_what_was_read(
    live_worker: LiveWorker,
) -> None:
    lead = f"avro-{uuid.uuid4().hex[:6]}"
    event = LeadCaptured(
        event_id=f"{lead}-1",
        subject=lead,
        occurred_at=datetime.now(UTC),
        source="acme",
        data=LeadCapturedData(person=Person(email="ana@example.com")),
    )
    schema = latest()["LeadCaptured"]
    theirs = avro.schema.parse(json.dumps(schema.raw)).fingerprint()
    payload = encode(event)
    with producer(live_worker.bootstrap) as prod:
        publish_raw(
            prod,
            topic_name(LEADS, live_worker.namespace),
            lead.encode(),
            MAGIC + theirs + payload[HEADER_SIZE:],
        )

    def mine(found: list[Event]) -> list[EventRejected]:
        return [e for e in found if isinstance(e, EventRejected) and e.subject == lead]

    found = read_until(
        live_worker.bootstrap,
        topic_name(REJECTIONS, live_worker.namespace),
        lambda f: bool(mine(f)),
    )
    (rejected,) = mine(found)
    (reason,) = rejected.data.reasons
    assert f"header bytes {theirs.hex(' ')}" in reason
    assert "read little-endian as the Avro specification writes it" in reason
    assert "read big-endian (byte-reversed)" in reason
    assert reason.count("no schema of leadledger's") == 2
    assert (
        f"LeadCaptured v{schema.version}'s fingerprint as the Python avro package computes it"
        in reason
    )
    assert rejected.data.original is not None  # the bytes are kept, nothing is lost
    assert live_worker.get(f"/leads/{lead}").status_code == 404


def test_a_record_log_written_in_the_old_order_verifies_replays_and_exports(
    kafka_bootstrap: str,
    test_namespace: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A namespace of its own, holding only the old record log (and an empty key topic).
    namespace = f"{test_namespace}-legacy"
    topics = {suffix: f"{namespace}.{suffix}" for suffix in ("lead-log", "agreement-log")}
    admin = KafkaAdminClient(**kafka_config(kafka_bootstrap))
    try:
        names = [*topics.values(), changelog_name(KEY_TABLE, namespace)]
        admin.create_topics([NewTopic(name, 3, 1) for name in names])
    finally:
        admin.close()
    records = legacy_records()
    with producer(kafka_bootstrap) as prod:
        for record in records:
            publish_raw(prod, topics[record.topic], record.key.encode(), record.value)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", namespace)
    runner = CliRunner()
    subjects = len({record.key for record in records})

    verified = runner.invoke(cli, ["verify", "kafka"])
    assert (verified.exit_code, verified.stdout) == (
        0,
        f"history intact: 35 events (32 accepted, 3 refused), {subjects} subjects\n",
    )

    golden_log = str(GOLDEN / "partnership.jsonl")
    for question in (["--partner", "globex"], ["--escalations"], ["--agreement", "AG-1"]):
        as_of = ["--as-of", "2026-05-01T00:00:00Z", *question]
        from_kafka = runner.invoke(cli, ["replay", "kafka", *as_of])
        from_golden = runner.invoke(cli, ["replay", golden_log, *as_of])
        assert from_kafka.exit_code == from_golden.exit_code == 0, from_kafka.stderr
        assert json.loads(from_kafka.stdout) == json.loads(from_golden.stdout), question

    out = tmp_path / "old.jsonl"
    exported = runner.invoke(cli, ["export", "--out", str(out)])
    assert exported.exit_code == 0, exported.stderr
    assert exported.stderr.startswith(f"35 events written to {out} (0 undecodable")
    assert sorted(e.event_id for e in read_log(out)) == sorted(
        decode(r.value).event_id for r in records
    )
    checked = runner.invoke(cli, ["verify", str(out)])
    assert (checked.exit_code, checked.stdout) == (
        0,
        f"history intact: 35 events (32 accepted, 3 refused), {subjects} subjects\n",
    )
