"""The key topic alone opens no person; the keyring does; rotation re-wraps, crash-safe.

A real worker of its own (it is stopped for the rotation) seals three leads' persons
and erases one. Then, on the real broker:

- every byte of the raw key topic is tried as a key: no 32-byte window of any record,
  nor of any base64 field in it, opens a sealed person of the record log; the same
  search does find the key in a clear record (what the topic held before wrapping),
  so it is a search that can succeed. With the keyring, ``read_keys`` opens them;
- ``keys rotate`` refuses while the worker runs;
- with the worker stopped, a clear record from before wrapping is put back for one
  lead; a rotation that crashes after its first write keeps the old KEKs, and
  everything still opens; one during which a stray writer erases a lead erases it
  again and refuses to retire anything; ``keys rotate`` again re-wraps every key (the clear one too)
  under one new KEK and retires the others, the erased lead stays erased and the
  record log is not touched;
- a worker restarted on the same home opens the persons with the rotated keyring and
  wraps a new lead's key under the new KEK.
"""

from __future__ import annotations

import base64
import binascii
import json
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from typer.testing import CliRunner

from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.lead_events import LeadCaptured, SealedPerson
from streams.broker.topics import KEY_TABLE, LEAD_LOG, LEADS, changelog_name, topic_name
from streams.cli.main import cli
from streams.identity.clients import KafkaAccess
from streams.personal_data.key_records import kek_of
from streams.personal_data.keyring import FileKeyring
from streams.personal_data.sealing import LeadKey, open_person
from streams.readback.event_log import read_topics
from streams.readback.key_topic import latest_records, read_keys
from streams.rekey.rotation import RotationRefusedError, rotate, status, workers_in_group
from streams.rekey.writer import ProducerWriter
from tests.integration.test_worker_stops import STOP_BOUND_S, CliWorker
from tests.support.kafka_auth import client_access, kafka_config
from tests.support.kafka_io import producer, publish

pytestmark = pytest.mark.integration
SETTLE_S = 60.0


def _capture(lead: str, n: int, now: datetime) -> Envelope:
    person = {"email": f"{lead}@custody.example", "first_name": f"Custodia{n}"}
    return parse_event(
        {
            "event_id": f"{lead}-captured",
            "type": "LeadCaptured",
            "subject": lead,
            "occurred_at": (now - timedelta(hours=1)).isoformat(),
            "source": "acme",
            "data": {"person": person},
        }
    )


def _erasure(lead: str, now: datetime) -> Envelope:
    return parse_event(
        {
            "event_id": f"{lead}-erasure",
            "type": "ErasureRequested",
            "subject": lead,
            "occurred_at": (now - timedelta(minutes=30)).isoformat(),
            "source": "acme",
            "data": {"request_id": f"erq-{lead}", "regime": "GDPR"},
        }
    )


def _person(worker: CliWorker, lead: str) -> Any:
    url = f"http://127.0.0.1:{worker.port}/leads/{lead}"
    try:
        answer = httpx.get(url, headers=worker.auth, timeout=5)
    except httpx.HTTPError:
        return None
    return answer.json().get("person") if answer.status_code == 200 else None


def _settle(worker: CliWorker, wanted: dict[str, Any]) -> None:
    worker.wait_until(
        f"persons {wanted}",
        lambda: all(_person(worker, lead) == person for lead, person in wanted.items()),
        SETTLE_S,
    )


def _raw_records(bootstrap: str, topic: str) -> list[Any]:
    consumer = KafkaConsumer(**kafka_config(bootstrap), enable_auto_commit=False, group_id=None)
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = consumer.end_offsets(tps)
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        found: list[Any] = []
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            for tp, batch in consumer.poll(timeout_ms=1000).items():
                found += [m for m in batch if m.offset < ends[tp]]
        return found
    finally:
        consumer.close()


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _candidate_keys(value: bytes) -> set[bytes]:
    """Every 32-byte window of a record's bytes and of each base64 string field in it."""
    blobs = [value]
    try:
        body = json.loads(value)
    except ValueError:
        body = None
    for text in _strings(body):
        try:
            blobs.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            continue
    return {blob[i : i + 32] for blob in blobs for i in range(max(len(blob) - 31, 0))}


def _opens_any(candidates: set[bytes], sealed: dict[str, LeadCaptured]) -> list[str]:
    opened = []
    for lead, captured in sealed.items():
        person = captured.data.person
        assert isinstance(person, SealedPerson)
        for secret in candidates:
            key = LeadKey(person.key_id, secret)
            if open_person(person, key, lead, captured.event_id) is not None:
                opened.append(lead)
    return opened


def _sealed_captures(bootstrap: str, namespace: str, leads: list[str]) -> dict[str, LeadCaptured]:
    log = topic_name(LEAD_LOG, namespace)
    return {
        e.subject: e
        for e in read_topics(client_access(bootstrap), [log])
        if isinstance(e, LeadCaptured) and e.subject in leads
    }


def _stop(worker: CliWorker, bootstrap: str) -> None:
    """SIGTERM, as a supervisor stops it: the worker leaves its consumer group."""
    worker.process.send_signal(signal.SIGTERM)
    assert worker.stops_within(STOP_BOUND_S), worker.log()[-3000:]
    deadline = time.monotonic() + 60
    while workers_in_group(client_access(bootstrap), worker.namespace):
        assert time.monotonic() < deadline, "the stopped worker is still in its group"
        time.sleep(0.5)


class _CrashAfterFirstWrite(ProducerWriter):
    def write(self, partition: int, key: bytes, value: bytes | None) -> None:
        super().write(partition, key, value)
        super().flush()
        raise RuntimeError("crash half-way through the rotation")


class _ErasedMeanwhile(ProducerWriter):
    """A worker started despite the check erases ``victim`` just before it is re-wrapped."""

    def __init__(self, kafka: KafkaAccess, topic: str, victim: bytes) -> None:
        super().__init__(kafka, topic)
        self.victim = victim

    def write(self, partition: int, key: bytes, value: bytes | None) -> None:
        if key == self.victim and value is not None:
            super().write(partition, key, None)
            super().flush()
        super().write(partition, key, value)


def _log_ends(bootstrap: str, namespace: str) -> dict[Any, int]:
    consumer = KafkaConsumer(**kafka_config(bootstrap), group_id=None)
    try:
        log = topic_name(LEAD_LOG, namespace)
        tps = [TopicPartition(log, p) for p in consumer.partitions_for_topic(log) or ()]
        return dict(consumer.end_offsets(tps))
    finally:
        consumer.close()


def test_the_key_topic_alone_opens_nothing_and_rotation_rewraps(
    kafka_bootstrap: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    worker = CliWorker(kafka_bootstrap, home)
    ns, run = worker.namespace, uuid.uuid4().hex[:8]
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", ns)
    monkeypatch.setenv("LEADLEDGER_HOME", str(home))
    key_topic = changelog_name(KEY_TABLE, ns)
    keyring = FileKeyring(home / "keyring.json")
    kept, erased, late = [f"kc-{run}-a", f"kc-{run}-b"], f"kc-{run}-c", f"kc-{run}-d"
    victim = f"kc-{run}-v"  # erased by a stray writer during a rotation
    now = datetime.now(UTC)
    emails = {lead: f"{lead}@custody.example" for lead in [*kept, late, victim]}
    try:
        worker.wait_until("web answer with partitions", worker.serving)
        with producer(kafka_bootstrap) as prod:
            publish(prod, topic_name(LEADS, ns), *(_capture(x, n, now) for n, x in enumerate(kept)))
            publish(prod, topic_name(LEADS, ns), _capture(erased, 9, now), _erasure(erased, now))
            publish(prod, topic_name(LEADS, ns), _capture(victim, 5, now))
        _settle(worker, {kept[0]: {"email": emails[kept[0]], "first_name": "Custodia0"}})
        _settle(worker, {kept[1]: {"email": emails[kept[1]], "first_name": "Custodia1"}})
        _settle(worker, {victim: {"email": emails[victim], "first_name": "Custodia5"}})
        _settle(worker, {erased: {"erased": True}})
        assert oct(keyring.path.stat().st_mode & 0o777) == "0o600"

        sealed = _sealed_captures(kafka_bootstrap, ns, kept)
        assert set(sealed) == set(kept)
        raw = _raw_records(kafka_bootstrap, key_topic)
        values = [r.value for r in raw if r.value is not None]
        assert len(values) >= 3  # a, b, and c's key before its tombstone
        assert all("key" not in json.loads(v) for v in values)
        window = set().union(*(_candidate_keys(v) for v in values))
        assert _opens_any(window, sealed) == []  # the topic alone opens nobody
        keys = read_keys(client_access(kafka_bootstrap), key_topic, keyring)
        assert erased not in keys
        for lead in kept:  # ... with the keyring, everybody
            person = sealed[lead].data.person
            assert isinstance(person, SealedPerson)
            opened = open_person(person, keys[lead], lead, sealed[lead].event_id)
            assert opened is not None
            assert opened.email == emails[lead]
        clear = _clear_record(keys[kept[1]])  # what the topic held before wrapping
        assert _opens_any(_candidate_keys(clear), sealed) == [kept[1]]  # found, so it can

        refused = CliRunner().invoke(cli, ["keys", "rotate"])
        assert refused.exit_code == 1
        assert "stop every worker" in refused.stderr
        first_kek = keyring.current_kek_id()
        assert set(keyring.kek_ids()) == {first_kek}  # nothing changed

        _stop(worker, kafka_bootstrap)
        _rotate_after_a_crash(
            kafka_bootstrap, ns, keyring, keys, clear_lead=kept[1], clear=clear, victim=victim
        )

        worker = CliWorker(kafka_bootstrap, home, ns)  # restarted on the rotated keyring
        worker.wait_until("web answer with partitions", worker.serving)
        _settle(
            worker,
            {
                lead: {"email": emails[lead], "first_name": f"Custodia{n}"}
                for n, lead in enumerate(kept)
            },
        )
        _settle(worker, {erased: {"erased": True}})
        with producer(kafka_bootstrap) as prod:
            publish(prod, topic_name(LEADS, ns), _capture(late, 3, now))
        _settle(worker, {late: {"email": emails[late], "first_name": "Custodia3"}})
        late_record = latest_records(client_access(kafka_bootstrap), key_topic)[late]
        assert kek_of(late_record.value or b"") == keyring.current_kek_id()
    finally:
        worker.kill()


def _clear_record(key: LeadKey) -> bytes:
    return json.dumps({"key_id": key.key_id, "key": base64.b64encode(key.secret).decode()}).encode()


def _rotate_after_a_crash(
    bootstrap: str,
    ns: str,
    keyring: FileKeyring,
    keys: dict[str, LeadKey],
    *,
    clear_lead: str,
    clear: bytes,
    victim: str,
) -> None:
    kafka = client_access(bootstrap)
    key_topic = changelog_name(KEY_TABLE, ns)
    first_kek = keyring.current_kek_id()
    # One lead's key back in clear, as a deployment from before wrapping has it.
    record = latest_records(kafka, key_topic)[clear_lead]
    legacy = KafkaProducer(**kafka_config(bootstrap), acks="all")
    legacy.send(key_topic, key=record.key, value=clear, partition=record.partition).get(10)
    legacy.close()
    assert status(kafka, key_topic) == {first_kek: 2, "clear": 1}
    assert read_keys(kafka, key_topic, keyring) == keys  # the clear record opens
    log_before = _log_ends(bootstrap, ns)

    crashing = partial(_CrashAfterFirstWrite, kafka, key_topic)
    with pytest.raises(RuntimeError, match="half-way"):
        rotate(kafka, key_topic, ns, keyring, crashing)
    crashed = FileKeyring(keyring.path).kek_ids()
    assert first_kek in crashed  # not retired: some keys are still under it
    assert len(crashed) == 2
    assert read_keys(kafka, key_topic, keyring) == keys  # everything still opens

    victim_key = latest_records(kafka, key_topic)[victim].key
    meanwhile = partial(_ErasedMeanwhile, kafka, key_topic, victim_key)
    with pytest.raises(RotationRefusedError, match="1 erased key"):
        rotate(kafka, key_topic, ns, keyring, meanwhile)
    assert latest_records(kafka, key_topic)[victim].value is None  # erased again
    assert len(FileKeyring(keyring.path).kek_ids()) == 3  # nothing retired
    keys = {lead: key for lead, key in keys.items() if lead != victim}
    assert read_keys(kafka, key_topic, keyring) == keys

    still_clear = status(kafka, key_topic).get("clear", 0)  # unless written before the crash
    done = CliRunner().invoke(cli, ["keys", "rotate"])
    assert done.exit_code == 0, done.stderr
    assert "2 lead keys re-wrapped" in done.stdout
    assert f"({still_clear} were in clear;" in done.stdout
    rotated = FileKeyring(keyring.path)
    (only,) = rotated.kek_ids()
    assert only not in crashed  # a new KEK: those of the stopped rotations are retired too
    assert status(kafka, key_topic) == {only: 2}
    assert read_keys(kafka, key_topic, rotated) == keys  # the erased lead stays out
    assert _log_ends(bootstrap, ns) == log_before  # the record log untouched
    shown = CliRunner().invoke(cli, ["keys", "status"])
    assert shown.exit_code == 0, shown.stderr
    assert f"{only}\tcurrent" in shown.stdout
    assert f"{only}\t2" in shown.stdout
