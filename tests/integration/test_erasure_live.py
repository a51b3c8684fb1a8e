"""Erasure end to end on a real broker and worker: no plaintext left anywhere.

A lead with a distinctive email, name, phone and company is captured, shared and
then erased. Afterwards every topic of the namespace (intake, record log, outputs,
every table's changelog, the compacted key topic) is read back byte by byte, with a
rejection's base64 ``original`` decoded too, and none of the strings may appear. The
key's own record must have left the key topic: the broker compacts it (the key topic
rolls segments after ``segment.ms``, so filler captures on the lead's partition keep
it writing while the test polls, with a bounded wait). The views and ``replay kafka``
show the person erased while the status, score and share history stay.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from typer.testing import CliRunner

from schemas.codec import DecodeError, decode, encode
from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.system_events import EventRejected
from streams.broker.topics import AGREEMENTS, KEY_TABLE, LEADS, changelog_name, topic_name
from streams.cli.main import cli
from streams.readback.key_topic import table_key
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish, publish_raw
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
COMPACTION_WAIT_S = 150.0


def _events(run: str, now: datetime) -> dict[str, Any]:
    lead, ag = f"er-{run}", f"AG-er-{run}"
    acme, globex = f"acme-{run}", f"globex-{run}"
    person = {
        "email": f"zelda.quux.{run}@pii-test.example",
        "first_name": f"Zeldina{run}",
        "last_name": f"Quuxington{run}",
        "phone": f"+49 30 {run[:6]}",
        "company": f"Plaintextwerke-{run}",
        "job_title": "CTO",
        "country": "DE",
        "region": "EMEA",
    }

    def ev(n: int, kind: str, subject: str, hours: float, data: dict[str, Any]) -> Envelope:
        return parse_event(
            {
                "event_id": f"{run}-{n:02d}-{kind}",
                "type": kind,
                "subject": subject,
                "occurred_at": (now + timedelta(hours=hours)).isoformat(),
                "source": acme,
                "data": data,
            }
        )

    terms = {
        "privacy": {"regimes": ["GDPR"], "require_consent": True, "erasure_within_days": 20},
        "effective_from": (now - timedelta(days=2)).isoformat(),
        "expires_at": (now + timedelta(days=365)).isoformat(),
    }
    parties = [
        {"partner_id": acme, "role": "generator"},
        {"partner_id": globex, "role": "receiver"},
    ]
    sign = {"signer": "ceo", "title": "CEO"}
    captured = {"person": person, "industry": "saas", "budget": 9000.0}
    return {
        "lead": lead,
        "person": person,
        "agreement": [
            ev(1, "AgreementProposed", ag, -30, {"parties": parties, "terms": terms}),
            ev(2, "AgreementSigned", ag, -29, {"partner_id": acme, **sign}),
            ev(3, "AgreementSigned", ag, -29, {"partner_id": globex, **sign}),
        ],
        "lead_events": [
            ev(4, "LeadCaptured", lead, -5, captured),
            ev(5, "ConsentGiven", lead, -4.9, {"purpose": "sharing", "regime": "GDPR"}),
            ev(6, "LeadActivity", lead, -4.8, {"activity": "demo_request", "points": 30}),
            ev(
                7,
                "LeadShared",
                lead,
                -4,
                {"agreement_id": ag, "from_partner": acme, "to_partner": globex},
            ),
            ev(8, "PartnerResponded", lead, -3, {"partner_id": globex, "accepted": True}),
        ],
        # Refused, with a plaintext person: its rejection must keep it sealed.
        "again": ev(9, "LeadCaptured", lead, -2, captured),
        "erasure": ev(
            10, "ErasureRequested", lead, -1, {"request_id": f"erq-{run}", "regime": "GDPR"}
        ),
    }


def _poll(
    what: str,
    check: Callable[[], bool],
    timeout: float,
    tick: Callable[[], None],
    found: list[str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout}s; found at {(found or [])[:10]}")
        tick()
        time.sleep(1.0)


def _namespace_records(bootstrap: str, namespace: str) -> list[tuple[str, Any]]:
    """Every record of every topic of the namespace, from its log start to its end."""
    consumer = KafkaConsumer(**kafka_config(bootstrap), enable_auto_commit=False, group_id=None)
    try:
        topics = [t for t in consumer.topics() if t.startswith((f"{namespace}.", f"{namespace}-"))]
        tps = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()]
        ends = consumer.end_offsets(tps)
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        found: list[tuple[str, Any]] = []
        pending = {tp for tp in tps if consumer.position(tp) < ends[tp]}
        while pending:
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                found += [(tp.topic, m) for m in batch if m.offset < ends[tp]]
            pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
        return found
    finally:
        consumer.close()


def _texts(record: Any) -> list[bytes]:
    """The bytes of a record, plus a rejection's original decoded from base64."""
    parts = [record.key or b"", record.value or b""]
    parts += [value for _, value in record.headers or []]
    try:
        event = decode(record.value or b"")
    except DecodeError:
        return parts
    if isinstance(event, EventRejected) and event.data.original:
        parts.append(base64.b64decode(event.data.original))
    return parts


def _key_partition(bootstrap: str, key_topic: str, partition: int) -> list[Any]:
    consumer = KafkaConsumer(**kafka_config(bootstrap), enable_auto_commit=False, group_id=None)
    try:
        tp = TopicPartition(key_topic, partition)
        end = consumer.end_offsets([tp])[tp]
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        records: list[Any] = []
        while consumer.position(tp) < end:
            for batch in consumer.poll(timeout_ms=1000).values():
                records += [m for m in batch if m.offset < end]
        return records
    finally:
        consumer.close()


def _view(live_worker: LiveWorker, lead: str, ready: Callable[[dict[str, Any]], bool]) -> Any:
    deadline = time.monotonic() + 60
    view = live_worker.wait_for(f"/leads/{lead}").json()
    while not ready(view):
        if time.monotonic() > deadline:
            pytest.fail(f"/leads/{lead} never got there: {view}\n{live_worker.log_tail()}")
        time.sleep(0.3)
        view = live_worker.wait_for(f"/leads/{lead}").json()
    return view


def _replay_lead(lead: str) -> dict[str, Any]:
    as_of = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    result = CliRunner().invoke(cli, ["replay", "kafka", "--as-of", as_of, "--lead", lead])
    assert result.exit_code == 0, result.stderr
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_erasure_leaves_no_plaintext_anywhere(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    monkeypatch.setenv("LEADLEDGER_HOME", str(live_worker.home))  # the worker's keyring
    run = uuid.uuid4().hex[:10]
    case = _events(run, datetime.now(UTC))
    lead, ns, bootstrap = case["lead"], live_worker.namespace, live_worker.bootstrap
    leads = topic_name(LEADS, ns)
    with producer(bootstrap) as prod:
        publish(prod, topic_name(AGREEMENTS, ns), *case["agreement"])
        publish(prod, leads, *case["lead_events"])
        publish(prod, leads, case["again"])
        publish_raw(prod, leads, b"someone-else", encode(case["again"]))  # mis-keyed

    shared = _view(live_worker, lead, lambda v: [s["status"] for s in v["shares"]] == ["accepted"])
    assert shared["person"]["email"] == case["person"]["email"]  # opened with its key
    assert _replay_lead(lead)["person"]["email"] == case["person"]["email"]

    with producer(bootstrap) as prod:
        publish(prod, leads, case["erasure"])
    erased = _view(live_worker, lead, lambda v: v["person"] == {"erased": True})
    # The non-personal history stays: status, score and its changes, the share.
    assert (erased["status"], erased["score"]) == (shared["status"], shared["score"])
    assert erased["score"] == 30
    assert erased["history"][: len(shared["history"])] == shared["history"]
    assert [(s["to_partner"], s["status"]) for s in erased["shares"]] == [
        (f"globex-{run}", "accepted")
    ]
    replayed = _replay_lead(lead)
    assert replayed["person"] == {"erased": True}
    assert {k: v for k, v in replayed.items() if k != "person"} == {
        k: v for k, v in erased.items() if k != "person"
    }

    exported = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "log.jsonl")])
    assert exported.exit_code == 0, exported.stderr
    erased_count = re.search(r"(\d+) erased[;)]", exported.stderr)
    assert erased_count is not None, exported.stderr
    assert int(erased_count.group(1)) >= 1, exported.stderr
    assert lead in (tmp_path / "log.jsonl").read_text()  # its history is exported ...
    assert case["person"]["email"] not in (tmp_path / "log.jsonl").read_text()  # ... sealed

    partition = _partition_of(bootstrap, leads, lead)
    key_topic = changelog_name(KEY_TABLE, ns)
    filler = _Filler(bootstrap, leads, partition, run)
    try:

        def key_gone() -> bool:
            mine = [
                r
                for r in _key_partition(bootstrap, key_topic, partition)
                if table_key(r.key) == lead
            ]
            return all(r.value is None for r in mine)

        _poll("the broker compacted the erased key away", key_gone, COMPACTION_WAIT_S, filler.tick)
        needles = [
            v.encode()
            for k, v in case["person"].items()
            if k not in {"job_title", "country", "region"}
        ]

        where: list[str] = []

        def plaintext_gone() -> bool:
            where[:] = [
                f"{topic}:{record.partition}:{record.offset}"
                for topic, record in _namespace_records(bootstrap, ns)
                if any(needle in text for text in _texts(record) for needle in needles)
            ]
            return not where

        # Intake goes when the janitor deletes what the worker committed.
        _poll("no plaintext left in any topic", plaintext_gone, 60, filler.tick, where)
    finally:
        filler.close()
    assert _view(live_worker, lead, lambda v: True)["person"] == {"erased": True}


def _partition_of(bootstrap: str, topic: str, lead: str) -> int:
    consumer = KafkaConsumer(**kafka_config(bootstrap), enable_auto_commit=False, group_id=None)
    try:
        log_partitions = consumer.partitions_for_topic(topic.replace(".leads", ".lead-log")) or ()
        tps = [TopicPartition(topic.replace(".leads", ".lead-log"), p) for p in log_partitions]
        ends = consumer.end_offsets(tps)
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                if any(m.key == lead.encode() for m in batch):
                    return int(tp.partition)
        pytest.fail(f"{lead} is not in the record log")
    finally:
        consumer.close()


class _Filler:
    """Captures of other leads on one partition: the key topic keeps getting writes, so
    its active segment rolls and the cleaner can compact the tombstone's segment."""

    def __init__(self, bootstrap: str, topic: str, partition: int, run: str) -> None:
        self.producer = KafkaProducer(**kafka_config(bootstrap), acks="all")
        self.topic, self.partition, self.run, self.n = topic, partition, run, 0

    def tick(self) -> None:
        self.n += 1
        lead = f"filler-{self.run}-{self.n}"
        event = parse_event(
            {
                "event_id": f"{lead}-captured",
                "type": "LeadCaptured",
                "subject": lead,
                "occurred_at": datetime.now(UTC).isoformat(),
                "source": "filler",
                "data": {"person": {"email": f"{lead}@filler.example"}},
            }
        )
        self.producer.send(
            self.topic, key=lead.encode(), value=encode(event), partition=self.partition
        ).get(10)

    def close(self) -> None:
        self.producer.close()
