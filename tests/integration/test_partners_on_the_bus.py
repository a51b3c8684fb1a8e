"""`leadledger partners add|rotate|remove|list` against the real broker and a real worker,
with the partner connecting as itself: the settings the command prints are all it has.

What the broker must enforce for a partner (``streams.identity.provisioning``): it writes
only its own publish topic, reads only its own feed, joins only groups under its own
prefix, and sees no other topic. What the worker must enforce: an event whose fields
name someone else is refused, and the refusal names who published it.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import (
    GroupAuthorizationFailedError,
    KafkaTimeoutError,
    TopicAuthorizationFailedError,
)
from typer.testing import CliRunner

from schemas.codec import decode, encode
from schemas.events import Event, parse_event
from schemas.system_events import EventRejected
from streams.broker.topics import (
    ESCALATIONS,
    LEAD_LOG,
    LEADS,
    NOTIFICATIONS,
    publish_topic_name,
    topic_name,
)
from streams.cli.main import cli
from streams.identity import registry
from tests.support.doc_blocks import python_blocks
from tests.support.kafka_auth import kafka_config
from tests.support.live_worker import LiveWorker
from tests.support.operator_shell import added, kafka_settings, leadledger, operator_env

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
ACME, GLOBEX = f"acme-{RUN}", f"globex-{RUN}"
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
# A refused client must fail within the test, not after kafka-python's minute of retries.
ONBOARDING = Path(__file__).parents[2] / "docs" / "onboarding.md"
SCHEMAS = Path(__file__).parents[2] / "schemas" / "avro"
QUICK = {"request_timeout_ms": 5000, "bootstrap_timeout_ms": 8000}


@pytest.fixture(scope="module")
def cli_env(live_worker: LiveWorker) -> dict[str, str]:
    """The operator's shell next to the worker: its home, namespace and broker."""
    return operator_env(live_worker)


@pytest.fixture(scope="module")
def acme(cli_env: dict[str, str]) -> dict[str, Any]:
    return added(cli_env, ACME)


@pytest.fixture(scope="module")
def globex(cli_env: dict[str, str]) -> dict[str, Any]:
    return added(cli_env, GLOBEX)


@pytest.fixture
def acme_producer(acme: dict[str, Any]) -> Iterator[KafkaProducer]:
    made = KafkaProducer(**kafka_settings(acme), acks="all", max_block_ms=8000, **QUICK)
    yield made
    made.close()


def captured(lead: str, source: str) -> Event:
    return parse_event(
        {
            "event_id": f"{lead}-captured",
            "type": "LeadCaptured",
            "subject": lead,
            "occurred_at": START,
            "source": source,
            "data": {"person": {"email": f"{lead}@example.com"}},
        }
    )


def send(producer: KafkaProducer, topic: str, event: Event) -> None:
    producer.send(topic, key=event.subject.encode(), value=encode(event)).get(timeout=10)


def feed_until(settings: dict[str, Any], wanted: str, group: str) -> list[Event]:
    """The partner's own feed, read in a group of its own, until ``wanted`` shows."""
    consumer = KafkaConsumer(
        settings["subscribe_topic"],
        **kafka_settings(settings),
        group_id=group,
        auto_offset_reset="earliest",
        consumer_timeout_ms=60_000,
    )
    seen: list[Event] = []
    try:
        for message in consumer:
            seen.append(decode(message.value))
            if wanted in message.value.decode("latin-1"):
                break
    finally:
        consumer.close()
    return seen


def poll_a_while(consumer: KafkaConsumer) -> None:
    """Up to ten seconds of polls: a refusal raises on one of them."""
    for _ in range(20):
        consumer.poll(timeout_ms=500)


def visible_topics(settings: dict[str, Any]) -> set[str]:
    admin = KafkaAdminClient(**kafka_settings(settings), **QUICK)
    try:
        return set(admin.list_topics())
    finally:
        admin.close()


def test_the_printed_settings_are_the_partners_own(
    live_worker: LiveWorker, acme: dict[str, Any]
) -> None:
    assert acme["partner_id"] == acme["kafka"]["username"] == ACME
    assert acme["publish_topic"] == publish_topic_name(live_worker.namespace, ACME)
    assert acme["subscribe_topic"] == f"{live_worker.namespace}.out.{ACME}"
    assert acme["group_prefix"] == f"{live_worker.namespace}.{ACME}."
    assert acme["kafka"]["sasl_mechanism"] == "SCRAM-SHA-512"
    assert acme["http_token"].startswith("llt_")
    stored = registry.load(registry.registry_path(live_worker.home))[ACME]
    assert stored.kind == "external"
    # Stored nowhere in clear: not in the registry, not in the token file.
    for path in (registry.registry_path(live_worker.home), live_worker.tokens_path):
        text = path.read_text()
        assert acme["kafka"]["password"] not in text
        assert acme["http_token"] not in text


def test_a_partner_sees_only_its_own_two_topics(
    acme: dict[str, Any], globex: dict[str, Any]
) -> None:
    assert visible_topics(acme) == {acme["publish_topic"], acme["subscribe_topic"]}
    assert visible_topics(globex) == {globex["publish_topic"], globex["subscribe_topic"]}


def test_it_publishes_as_itself_and_reads_the_refusal_of_a_forgery_on_its_feed(
    live_worker: LiveWorker,
    acme: dict[str, Any],
    globex: dict[str, Any],
    acme_producer: KafkaProducer,
) -> None:
    own, claimed = f"L-own-{RUN}", f"L-claimed-{RUN}"
    send(acme_producer, acme["publish_topic"], captured(own, ACME))
    send(acme_producer, acme["publish_topic"], captured(claimed, GLOBEX))
    live_worker.wait_for(f"/leads/{own}", timeout=60)

    feed = feed_until(acme, claimed, group=acme["group_prefix"] + "feed")
    refusals = [e for e in feed if isinstance(e, EventRejected) and e.subject == claimed]
    assert refusals, f"no refusal of {claimed} on {acme['subscribe_topic']}"
    (refusal,) = refusals[:1]
    assert isinstance(refusal, EventRejected)
    assert any(GLOBEX in reason and ACME in reason for reason in refusal.data.reasons)
    assert live_worker.get(f"/leads/{claimed}").status_code == 404
    # acme's own lead, read with its own token: the HTTP side of the same identity.
    view = httpx.get(
        f"{live_worker.base_url}/partners/{ACME}",
        headers={"Authorization": f"Bearer {acme['http_token']}"},
        timeout=5.0,
    )
    assert view.status_code not in (401, 403)


@pytest.mark.parametrize("whose", ["internal intake", "another partner's publish topic"])
def test_it_cannot_write_anywhere_else(
    live_worker: LiveWorker,
    globex: dict[str, Any],
    acme_producer: KafkaProducer,
    whose: str,
) -> None:
    topic = (
        topic_name(LEADS, live_worker.namespace)
        if whose == "internal intake"
        else globex["publish_topic"]
    )
    with pytest.raises((TopicAuthorizationFailedError, KafkaTimeoutError)):
        send(acme_producer, topic, captured(f"L-elsewhere-{RUN}", ACME))
    # Nothing of it reached the log: the admission never saw it.
    assert live_worker.get(f"/leads/L-elsewhere-{RUN}").status_code == 404


def test_it_cannot_read_the_log_or_another_feed_or_use_a_foreign_group(
    live_worker: LiveWorker, acme: dict[str, Any], globex: dict[str, Any]
) -> None:
    forbidden = (topic_name(LEAD_LOG, live_worker.namespace), globex["subscribe_topic"])
    for topic in (acme["subscribe_topic"], *forbidden):
        # A client of its own per topic: what one refusal leaves in kafka-python's
        # metadata cache must not decide the next question.
        consumer = KafkaConsumer(**kafka_settings(acme), group_id=None, **QUICK)
        try:
            if topic == acme["subscribe_topic"]:  # the same calls on its own feed answer
                assert consumer.partitions_for_topic(topic)
                assert consumer.end_offsets([TopicPartition(topic, 0)])
                continue
            assert consumer.partitions_for_topic(topic) == set()
            with pytest.raises(TopicAuthorizationFailedError):
                consumer.end_offsets([TopicPartition(topic, 0)])
        finally:
            consumer.close()
    consumer = KafkaConsumer(
        acme["subscribe_topic"], **kafka_settings(acme), group_id=globex["group_prefix"] + "x"
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            poll_a_while(consumer)
    finally:
        consumer.close()


def test_rotate_replaces_the_password_and_the_token(
    live_worker: LiveWorker, cli_env: dict[str, str]
) -> None:
    partner = f"rotating-{RUN}"
    old = added(cli_env, partner)
    assert visible_topics(old)
    new = json.loads(leadledger(cli_env, "partners", "rotate", partner, "--json"))
    assert new["kafka"]["password"] != old["kafka"]["password"]
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        visible_topics(old)
    assert visible_topics(new) == {new["publish_topic"], new["subscribe_topic"]}
    assert live_worker.get_as(f"/partners/{partner}", old["http_token"]).status_code == 401
    assert live_worker.get_as(f"/partners/{partner}", new["http_token"]).status_code not in (
        401,
        403,
    )


def test_remove_takes_the_partner_off_the_bus(
    live_worker: LiveWorker, cli_env: dict[str, str], acme: dict[str, Any]
) -> None:
    partner = f"leaving-{RUN}"
    settings = added(cli_env, partner)
    assert partner in leadledger(cli_env, "partners", "list")
    said = leadledger(cli_env, "partners", "remove", partner)
    assert "5 ACLs and 1 token(s) revoked" in said
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        visible_topics(settings)
    token = settings["http_token"]
    assert live_worker.get_as(f"/partners/{partner}", token).status_code == 401
    assert partner not in leadledger(cli_env, "partners", "list")
    assert partner not in registry.load(registry.registry_path(live_worker.home))
    # Its topics stay: what it published is part of the record.
    admin = KafkaAdminClient(**kafka_config(live_worker.bootstrap))
    try:
        assert {settings["publish_topic"], settings["subscribe_topic"]} <= set(admin.list_topics())
    finally:
        admin.close()
    # ... but `leadledger topics` creates only registered partners' topics.
    assert settings["publish_topic"] not in leadledger(cli_env, "topics")
    assert acme["publish_topic"] in leadledger(cli_env, "topics")


def test_a_second_add_is_refused_and_says_how_to_rotate(
    cli_env: dict[str, str], acme: dict[str, Any]
) -> None:
    again = CliRunner().invoke(cli, ["partners", "add", ACME], env=cli_env)
    assert again.exit_code == 1
    assert f"leadledger partners rotate {ACME}" in again.stderr


def test_the_onboarding_page_works_as_printed(
    live_worker: LiveWorker,
    acme: dict[str, Any],
    acme_producer: KafkaProducer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/onboarding.md: the settings file `add` printed and a copied schema file are
    all the blocks have; each runs as printed, in order, in one namespace."""
    (tmp_path / "acme.json").write_text(json.dumps(acme))
    shutil.copytree(SCHEMAS / "LeadCaptured", tmp_path / "LeadCaptured")
    monkeypatch.chdir(tmp_path)
    publish, read_feed, confluent = python_blocks(ONBOARDING)
    page: dict[str, Any] = {}
    exec(compile(publish, str(ONBOARDING), "exec"), page)  # our own docs
    lead = page["lead"]
    live_worker.wait_for(f"/leads/{lead}", timeout=60)

    forged = f"L-onboarding-forged-{RUN}"
    send(acme_producer, acme["publish_topic"], captured(forged, GLOBEX))
    feed_until(acme, forged, group=acme["group_prefix"] + "wait")  # the refusal is there
    exec(compile(read_feed, str(ONBOARDING), "exec"), page)
    refusals = [decode(value) for value in page["received"] if forged.encode() in value]
    assert any(isinstance(e, EventRejected) and e.subject == forged for e in refusals)

    exec(compile(confluent, str(ONBOARDING), "exec"), page)
    assert live_worker.get(f"/leads/{lead}").status_code == 200


def test_an_internal_service_also_reads_every_escalation_and_notification(
    live_worker: LiveWorker, cli_env: dict[str, str]
) -> None:
    """The own organisation's downstream services are internal partners: the
    organisation-wide output topics are open to them, and to no external partner."""
    service = f"ops-{RUN}"
    leadledger(cli_env, "partners", "add", service, "--internal", "--json")
    settings = json.loads(leadledger(cli_env, "partners", "rotate", service, "--json"))
    escalations = topic_name(ESCALATIONS, live_worker.namespace)
    notifications = topic_name(NOTIFICATIONS, live_worker.namespace)
    own = {settings["publish_topic"], settings["subscribe_topic"]}
    assert visible_topics(settings) == own | {escalations, notifications}
    consumer = KafkaConsumer(
        escalations,
        **kafka_settings(settings),
        group_id=settings["group_prefix"] + "escalations",
        auto_offset_reset="earliest",
    )
    try:
        poll_a_while(consumer)  # a refused fetch or join would raise here
        assert consumer.assignment()
    finally:
        consumer.close()
    assert registry.load(registry.registry_path(live_worker.home))[service].internal
