"""Partners on the bus, on the real broker with a real worker: each publishes on its own
topic (or through the HTTP door), the admission step stamps who published and refuses
what names someone else, and each partner's feed carries only what is addressed to it.

Times are backdated, so the share's response clock is overdue at once: nothing sleeps
to wait out an SLA.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from typer.testing import CliRunner

from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.events import Event
from schemas.partner_system_events import PartnerActivity
from schemas.system_events import EscalationRaised, EventRejected
from streams.broker.admin import create_partner_topics
from streams.broker.topics import REJECTIONS, feed_topic_name, publish_topic_name, topic_name
from streams.cli.main import cli
from streams.identity import registry
from streams.web.token_store import issue
from tests.support.doc_blocks import python_blocks
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish, publish_raw, read_until
from tests.support.live_worker import LiveWorker
from tests.support.operator_shell import event

pytestmark = pytest.mark.integration
PARTNERS_PAGE = Path(__file__).parents[2] / "docs" / "partners.md"

# Partners of this module's own: another module's golden log has an acme and a globex,
# whose views must hold only that log's activities.
RUN = uuid.uuid4().hex[:6]
ACME, GLOBEX, INITECH, CRM, GHOST = (
    f"{name}-{RUN}" for name in ("acme", "globex", "initech", "crm", "ghost")
)
DOCS_PARTNER = "acme"  # the door example on the partner page publishes as acme
NOW = datetime.now(UTC).replace(microsecond=0)
START = NOW - timedelta(days=5)
TERMS = {"effective_from": (START - timedelta(days=1)).isoformat()}


@pytest.fixture(scope="module")
def run_id() -> str:
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def partners(live_worker: LiveWorker, run_id: str) -> dict[str, str]:
    """acme, globex and initech (external) and crm (internal), registered with topics;
    ``ghost`` has topics but no registry entry; the page's acme. HTTP tokens by name."""
    path = registry.registry_path(live_worker.log_path.parent)
    tokens = {}
    for name, kind in ((ACME, "external"), (GLOBEX, "external"), (INITECH, "external")):
        registry.add(path, name, kind)  # type: ignore[arg-type]
    registry.add(path, CRM, "internal")
    for name in (ACME, GLOBEX, INITECH, CRM, GHOST):
        create_partner_topics(kafka_config(live_worker.bootstrap), live_worker.namespace, name)
    registry.add(path, DOCS_PARTNER, "external")
    create_partner_topics(kafka_config(live_worker.bootstrap), live_worker.namespace, DOCS_PARTNER)
    for name in (ACME, GLOBEX, DOCS_PARTNER):
        _, tokens[name] = issue(live_worker.tokens_path, "partner", partner_id=name)
    return tokens


@pytest.fixture(scope="module")
def prod(live_worker: LiveWorker) -> Iterator[KafkaProducer]:
    made = producer(live_worker.bootstrap)
    yield made
    made.close()


def proposal(agreement: str, first: str, second: str) -> Event:
    parties = [
        {"partner_id": first, "role": "generator"},
        {"partner_id": second, "role": "receiver"},
    ]
    return event("AgreementProposed", agreement, START, first, {"parties": parties, "terms": TERMS})


def signed(agreement: str, partner: str, source: str | None = None, minutes: int = 1) -> Event:
    data = {"partner_id": partner, "signer": f"ceo@{partner}"}
    when = START + timedelta(minutes=minutes)
    return event("AgreementSigned", agreement, when, source or partner, data)


def captured(lead: str, source: str, when: datetime = START) -> Event:
    return event("LeadCaptured", lead, when, source, {"person": {"email": f"{lead}@example.com"}})


def on_topic(live_worker: LiveWorker, partner: str) -> str:
    return publish_topic_name(live_worker.namespace, partner)


def read_for(
    live_worker: LiveWorker, topic: str, wanted: Callable[[Event], bool], timeout: float = 60.0
) -> list[Event]:
    found = read_until(
        live_worker.bootstrap, topic, lambda es: any(wanted(e) for e in es), timeout=timeout
    )
    return [e for e in found if wanted(e)]


def refusal_of(event_id: str) -> Callable[[Event], bool]:
    def matches(e: Event) -> bool:
        return isinstance(e, EventRejected) and e.data.rejected_event_id == event_id

    return matches


def wait_json(live_worker: LiveWorker, path: str, done: Callable[[Any], bool]) -> Any:
    return live_worker.wait_json(path, done)


def test_a_forged_signature_is_refused_and_leaves_the_agreement_unsigned(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    agreement = f"AG-forged-{run_id}"
    publish(prod, on_topic(live_worker, ACME), proposal(agreement, ACME, GLOBEX))
    honest = signed(agreement, ACME)
    for_globex = signed(agreement, GLOBEX, source=ACME, minutes=2)
    as_globex = signed(agreement, GLOBEX, minutes=3)  # source and partner_id both globex
    publish(prod, on_topic(live_worker, ACME), honest, for_globex, as_globex)
    view = wait_json(
        live_worker, f"/agreements/{agreement}", lambda body: body["signed_by"] == [ACME]
    )
    assert view["proposed_by"] == ACME
    for forged in (for_globex, as_globex):
        (rejection,) = read_for(
            live_worker, topic_name(REJECTIONS, live_worker.namespace), refusal_of(forged.event_id)
        )[:1]
        assert isinstance(rejection, EventRejected)
        assert any(GLOBEX in r and ACME in r for r in rejection.data.reasons)
        assert decode(base64.b64decode(rejection.data.original or "")) == forged
        on_feed = read_for(
            live_worker, feed_topic_name(live_worker.namespace, ACME), refusal_of(forged.event_id)
        )
        assert on_feed
    assert live_worker.get(f"/agreements/{agreement}").json()["state"] != "ACTIVE"


def test_source_is_the_publishers_and_a_payload_naming_another_is_refused(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    own, claimed = f"L-own-{run_id}", f"L-claimed-{run_id}"
    publish(prod, on_topic(live_worker, ACME), captured(own, ACME), captured(claimed, GLOBEX))
    live_worker.wait_for(f"/leads/{own}", timeout=60)
    lead_log = read_for(
        live_worker, f"{live_worker.namespace}.lead-log", lambda e: e.subject == own
    )
    assert (lead_log[0].source, lead_log[0].source_kind) == (ACME, "external")
    (rejection,) = read_for(
        live_worker,
        feed_topic_name(live_worker.namespace, ACME),
        lambda e: isinstance(e, EventRejected) and e.subject == claimed,
    )[:1]
    assert isinstance(rejection, EventRejected)
    assert any(f"source names {GLOBEX}" in r and ACME in r for r in rejection.data.reasons)
    assert live_worker.get(f"/leads/{claimed}").status_code == 404


def test_unknown_publisher_and_forbidden_type_are_refused(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    ghost_lead, assigned = f"L-ghost-{run_id}", f"L-assign-{run_id}"
    ghostly = captured(ghost_lead, GHOST)
    publish(prod, on_topic(live_worker, GHOST), ghostly)
    decision = event("LeadAssigned", assigned, START, ACME, {"owner": "rep-1"})
    publish(prod, on_topic(live_worker, ACME), decision)
    rejections = topic_name(REJECTIONS, live_worker.namespace)
    (ghost,) = read_for(live_worker, rejections, refusal_of(ghostly.event_id))[:1]
    assert isinstance(ghost, EventRejected)
    assert ghost.data.reasons[0] == f"unknown publisher {GHOST}: no partner {GHOST} is registered"
    assert f"{ghost_lead}@example.com" not in base64.b64decode(ghost.data.original or "").decode(
        "latin-1"
    )
    (refused,) = read_for(live_worker, rejections, refusal_of(decision.event_id))[:1]
    assert isinstance(refused, EventRejected)
    assert f"{ACME} is an external partner" in refused.data.reasons[0]


def test_an_escalation_for_acme_reaches_its_feed_and_no_one_elses(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    agreement, lead = f"AG-share-{run_id}", f"L-share-{run_id}"
    publish(prod, on_topic(live_worker, ACME), proposal(agreement, ACME, INITECH))
    publish(prod, on_topic(live_worker, ACME), signed(agreement, ACME))
    publish(prod, on_topic(live_worker, INITECH), signed(agreement, INITECH, minutes=2))
    wait_json(live_worker, f"/agreements/{agreement}", lambda body: body["state"] == "ACTIVE")
    consent = {"purpose": "sharing", "regime": "GDPR"}
    share = {"agreement_id": agreement, "from_partner": ACME, "to_partner": INITECH}
    publish(
        prod,
        on_topic(live_worker, ACME),
        captured(lead, ACME, START + timedelta(hours=1)),
        event("ConsentGiven", lead, START + timedelta(hours=2), ACME, consent),
        event("LeadShared", lead, START + timedelta(hours=3), ACME, share),
    )

    def overdue(e: Event) -> bool:
        return isinstance(e, EscalationRaised) and e.subject == lead

    (escalation,) = read_for(live_worker, feed_topic_name(live_worker.namespace, ACME), overdue)[:1]
    assert isinstance(escalation, EscalationRaised)
    assert escalation.data.rule == "PARTNER_NOT_RESPONDED"
    assert read_for(live_worker, feed_topic_name(live_worker.namespace, INITECH), overdue)

    def sent(e: Event) -> bool:
        return isinstance(e, PartnerActivity) and e.data.lead_id == lead and e.subject == ACME

    (activity,) = read_for(live_worker, feed_topic_name(live_worker.namespace, ACME), sent)[:1]
    assert isinstance(activity, PartnerActivity)
    assert activity.data.kind == "share_sent"
    globex = read_until(
        live_worker.bootstrap,
        feed_topic_name(live_worker.namespace, GLOBEX),
        lambda _: False,
        timeout=3,
    )
    assert not [
        e for e in globex if lead in e.model_dump_json() or agreement in e.model_dump_json()
    ]


def post(
    live_worker: LiveWorker, token: str | None, body: Any, raw: bytes | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if raw is not None:
        return httpx.post(
            f"{live_worker.base_url}/events", content=raw, headers=headers, timeout=30
        )
    return httpx.post(f"{live_worker.base_url}/events", json=body, headers=headers, timeout=30)


def as_json(e: Envelope) -> dict[str, Any]:
    body: dict[str, Any] = e.model_dump(mode="json", exclude={"record", "source_kind"})
    return body


def test_the_http_door(live_worker: LiveWorker, partners: dict[str, str], run_id: str) -> None:
    lead = f"L-door-{run_id}"
    first = captured(lead, ACME)
    activity = event(
        "LeadActivity", lead, START + timedelta(minutes=5), ACME, {"activity": "webinar"}
    )
    body = [as_json(first), as_json(activity)]
    accepted = post(live_worker, partners[ACME], body)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json() == {"accepted": [first.event_id, activity.event_id]}
    again = post(live_worker, partners[ACME], as_json(first))
    assert again.status_code == 202
    view = wait_json(live_worker, f"/leads/{lead}", lambda b: b["score"] > 0)
    assert view["status"] == "INQUIRY"

    assert post(live_worker, None, body).status_code == 401
    assert post(live_worker, "llt_unknown", body).status_code == 401
    assert post(live_worker, live_worker.operator_token, body).status_code == 403
    forged = post(live_worker, partners[ACME], as_json(captured(f"{lead}-x", GLOBEX)))
    assert forged.status_code == 403
    (error,) = forged.json()["errors"]
    assert any(GLOBEX in r and ACME in r for r in error["reasons"])
    invalid = post(live_worker, partners[ACME], {**as_json(first), "occurred_at": "yesterday"})
    assert invalid.status_code == 422
    assert "occurred_at" in invalid.json()["errors"][0]["reasons"][0]
    assert post(live_worker, partners[ACME], None, raw=b"{not json").status_code == 400
    assert (
        post(live_worker, partners[ACME], None, raw=b"[" + b" " * 1_000_001 + b"]").status_code
        == 413
    )


def test_stats_balance(live_worker: LiveWorker, partners: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counters = live_worker.stats()["counters"]
        received = counters["admission_received"]
        admission = received == counters["admission_admitted"] + counters["admission_refused"]
        agents = counters["received"] == counters["processed"] + counters["rejected"]
        if received and admission and agents:
            return
        time.sleep(0.5)
    pytest.fail(f"unbalanced: {live_worker.stats()['counters']}")


def test_publish_raw_garbage_is_refused(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer
) -> None:
    publish_raw(prod, on_topic(live_worker, GLOBEX), b"k", b"\x00not avro")
    found = read_for(
        live_worker,
        feed_topic_name(live_worker.namespace, GLOBEX),
        lambda e: isinstance(e, EventRejected) and "not Avro" in e.data.reasons[0],
    )
    assert found
    assert encode(found[0])


def test_the_door_example_of_the_partner_page(
    live_worker: LiveWorker, partners: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (block,) = [b for b in python_blocks(PARTNERS_PAGE) if "/events" in b]
    monkeypatch.setenv("LEADLEDGER_URL", live_worker.base_url)
    monkeypatch.setenv("PARTNER_TOKEN", partners[DOCS_PARTNER])
    printed: list[str] = []

    def record(*values: object) -> None:
        printed.append(" ".join(map(str, values)))

    exec(compile(block, str(PARTNERS_PAGE), "exec"), {"print": record})  # our own docs
    assert printed == ["202 {'accepted': ['evt-door-1']}"]
    live_worker.wait_for("/leads/lead-door-1", timeout=60)


def test_a_fold_refusal_of_an_admitted_event_reaches_the_publishers_feed(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    """globex may publish consent, but not about acme's lead: admission forwards it,
    the lead fold refuses it from ``source_kind``, and the refusal reaches globex's feed."""
    lead = f"L-theirs-{run_id}"
    publish(prod, on_topic(live_worker, ACME), captured(lead, ACME))
    live_worker.wait_for(f"/leads/{lead}", timeout=60)
    consent = {"purpose": "sharing", "regime": "GDPR"}
    meddling = event("ConsentGiven", lead, START + timedelta(hours=1), GLOBEX, consent)
    publish(prod, on_topic(live_worker, GLOBEX), meddling)
    (refusal,) = read_for(
        live_worker, feed_topic_name(live_worker.namespace, GLOBEX), refusal_of(meddling.event_id)
    )[:1]
    assert isinstance(refusal, EventRejected)
    assert refusal.data.topic == f"{live_worker.namespace}.leads"
    assert "neither captured nor holds" in refusal.data.reasons[0]
    assert not [
        e
        for e in read_until(
            live_worker.bootstrap,
            feed_topic_name(live_worker.namespace, ACME),
            lambda _: False,
            timeout=3,
        )
        if refusal_of(meddling.event_id)(e)
    ]


def test_what_admission_handled_is_deleted_from_the_publish_topic(
    live_worker: LiveWorker, partners: dict[str, str], prod: KafkaProducer, run_id: str
) -> None:
    """The plaintext person stays on a partner's topic only until admission handled it."""
    lead = f"L-janitor-{run_id}"
    publish(prod, on_topic(live_worker, INITECH), captured(lead, INITECH))
    live_worker.wait_for(f"/leads/{lead}", timeout=60)
    topic = on_topic(live_worker, INITECH)
    consumer = KafkaConsumer(**kafka_config(live_worker.bootstrap), group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ends = consumer.end_offsets(partitions)
            starts = consumer.beginning_offsets(partitions)
            if all(starts[tp] == ends[tp] for tp in partitions):
                return
            time.sleep(0.5)
        pytest.fail(f"{topic} still holds messages: {starts} < {ends}")
    finally:
        consumer.close()


def test_replay_of_the_record_log_answers_what_the_live_fold_did(
    live_worker: LiveWorker,
    partners: dict[str, str],
    prod: KafkaProducer,
    run_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The auditor's path over admitted events: ``source_kind`` is on the record log, so
    replay refuses the external partner's meddling the live fold refused."""
    lead = f"L-audit-{run_id}"
    publish(prod, on_topic(live_worker, ACME), captured(lead, ACME))
    live_worker.wait_for(f"/leads/{lead}", timeout=60)
    consent = {"purpose": "sharing", "regime": "GDPR"}
    meddling = event("ConsentGiven", lead, START + timedelta(hours=1), GLOBEX, consent)
    own = event("ConsentGiven", lead, START + timedelta(hours=2), ACME, consent)
    publish(prod, on_topic(live_worker, GLOBEX), meddling)
    publish(prod, on_topic(live_worker, ACME), own)
    live = wait_json(live_worker, f"/leads/{lead}", lambda body: own.event_id in str(body))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    monkeypatch.setenv("LEADLEDGER_HOME", str(live_worker.home))  # its keyring
    as_of = ["--as-of", datetime.now(UTC).isoformat()]
    replayed = CliRunner().invoke(cli, ["replay", "kafka", *as_of, "--lead", lead])
    assert replayed.exit_code == 0, replayed.stderr
    body = json.loads(replayed.stdout)
    assert {k: v for k, v in body.items() if k != "person"} == {
        k: v for k, v in live.items() if k != "person"
    }
    assert meddling.event_id not in replayed.stdout
