"""Hostile times and view parameters on the real broker, with a real worker (issue 20,
items 3 and 5).

The probe's case: a ``LeadActivity`` dated 9999-12-31T23:40 was rejected live but
landed on the record log, and from then on every ``replay kafka --as-of`` past it
failed, for every lead. Now it is refused at the door (the internal intake and a
partner's publish topic alike), never recorded, and replay answers past it. A record
log written before the fix, poison included, still replays, and verify names the
poison. Every view answers 4xx for a bad parameter; a 100 kB header is a warning in
the worker's log, without a traceback.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from projections.chain import stamp
from schemas.codec import decode
from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.system_events import EventRejected
from streams.broker.admin import create_partner_topics, create_topics
from streams.broker.topics import LEAD_LOG, LEADS, REJECTIONS, publish_topic_name, topic_name
from streams.cli.main import cli
from streams.identity import registry
from streams.web.token_store import issue
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish, read_raw_to_end, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
PARTNER = f"hostile-{RUN}"
NOW = datetime.now(UTC).replace(microsecond=0)
POISON_TIME = "9999-12-31T23:40:00Z"
PAST_IT = "2099-12-31T23:59:59Z"  # the last second replay answers for
OUT_OF_RANGE = "outside the contract's time range"


def event(kind: str, lead: str, when: Any, data: dict[str, Any], *, recorded: bool = False) -> Any:
    """``recorded``: read as a record log holds it, so a poison time can be built."""
    body = {
        "event_id": f"{lead}-{kind}-{uuid.uuid4().hex[:6]}",
        "type": kind,
        "subject": lead,
        "occurred_at": when,
        "source": PARTNER,
        "data": data,
    }
    return parse_event(body, as_recorded=recorded)


def captured(lead: str) -> Any:
    return event(
        "LeadCaptured", lead, NOW - timedelta(days=1), {"person": {"email": f"{lead}@x.example"}}
    )


def visit(lead: str, when: Any, points: int, *, recorded: bool = False) -> Any:
    return event(
        "LeadActivity", lead, when, {"activity": "web_visit", "points": points}, recorded=recorded
    )


def rejections_naming(live_worker: LiveWorker, *event_ids: str) -> dict[str, EventRejected]:
    """The rejection of each event id, read from the rejections topic (by its original)."""
    found: dict[str, EventRejected] = {}

    def done(events: list[Any]) -> bool:
        for e in events:
            if isinstance(e, EventRejected):
                for event_id in event_ids:
                    if event_id.encode() in base64.b64decode(e.data.original or ""):
                        found[event_id] = e
        return len(found) == len(event_ids)

    read_until(live_worker.bootstrap, topic_name(REJECTIONS, live_worker.namespace), done, 60)
    return found


def recorded_ids(live_worker: LiveWorker) -> set[str]:
    log = read_raw_to_end(live_worker.bootstrap, topic_name(LEAD_LOG, live_worker.namespace))
    return {decode(value, as_recorded=True).event_id for _, value in log}


def replay_cli(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> Any:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(cli, list(args))


def worker_env(live_worker: LiveWorker) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": live_worker.bootstrap,
        "LEADLEDGER_NAMESPACE": live_worker.namespace,
        "LEADLEDGER_HOME": str(live_worker.home),
    }


@pytest.fixture(scope="module")
def partner_token(live_worker: LiveWorker) -> str:
    registry.add(registry.registry_path(live_worker.home), PARTNER, "internal")
    create_partner_topics(kafka_config(live_worker.bootstrap), live_worker.namespace, PARTNER)
    _, token = issue(live_worker.tokens_path, "partner", partner_id=PARTNER)
    return token


def test_a_poison_time_is_rejected_never_recorded_and_replay_answers_past_it(
    live_worker: LiveWorker, partner_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    internal, admitted = f"L-poison-in-{RUN}", f"L-poison-adm-{RUN}"
    leads = topic_name(LEADS, live_worker.namespace)
    on_bus = publish_topic_name(live_worker.namespace, PARTNER)
    poisons = {
        internal: visit(internal, POISON_TIME, 5, recorded=True),
        admitted: visit(admitted, POISON_TIME, 5, recorded=True),
    }
    year_one = visit(internal, "0001-01-01T00:00:00Z", 5, recorded=True)
    later = {lead: visit(lead, NOW - timedelta(hours=1), 7) for lead in poisons}
    with producer(live_worker.bootstrap) as prod:
        publish(prod, leads, captured(internal), poisons[internal], year_one, later[internal])
        publish(prod, on_bus, captured(admitted), poisons[admitted], later[admitted])
    views = {}
    for lead in poisons:
        live_worker.wait_for(f"/leads/{lead}", timeout=60)
        views[lead] = _wait_score(live_worker, lead, 7)

    wanted = [poisons[internal].event_id, poisons[admitted].event_id, year_one.event_id]
    rejected = rejections_naming(live_worker, *wanted)
    assert set(rejected) == set(wanted), live_worker.log_tail()
    for rejection in rejected.values():
        assert any(OUT_OF_RANGE in reason for reason in rejection.data.reasons), rejection
    assert not recorded_ids(live_worker) & set(wanted)

    for lead in poisons:
        answered = replay_cli(
            monkeypatch,
            worker_env(live_worker),
            "replay",
            "kafka",
            "--as-of",
            PAST_IT,
            "--lead",
            lead,
        )
        assert answered.exit_code == 0, answered.stderr
        body = json.loads(answered.stdout)
        assert (body["score"], body["status"]) == (views[lead]["score"], views[lead]["status"])


def _wait_score(live_worker: LiveWorker, lead: str, score: int) -> dict[str, Any]:
    body: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = live_worker.get(f"/leads/{lead}").json()
        if body.get("score") == score:
            return body
        time.sleep(0.3)
    pytest.fail(f"{lead} never reached score {score}: {body}\n{live_worker.log_tail()}")


def test_a_record_log_written_before_the_fix_replays_past_its_poison(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The record log as the pre-fix worker left it: the poison chained between two good
    records of one lead. Replay answers past it (its time is past every time replay answers
    for); verify calls the chain intact and names the record. A namespace of its own, so
    no other test's log sees the poison."""
    namespace = f"prefix-{RUN}"
    create_topics(kafka_config(live_worker.bootstrap), namespace)
    lead = f"L-old-log-{RUN}"
    first = captured(lead)
    log: list[Envelope] = [first, visit(lead, POISON_TIME, 5, recorded=True), visit(lead, NOW, 7)]
    chained, head = [], None
    for e in log:
        stamped = stamp(e, head, NOW)
        assert stamped.record is not None
        head = stamped.record.hash
        chained.append(stamped)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topic_name(LEAD_LOG, namespace), *chained)
    env = worker_env(live_worker) | {
        "LEADLEDGER_NAMESPACE": namespace,
        "LEADLEDGER_HOME": str(tmp_path),
    }

    answered = replay_cli(monkeypatch, env, "replay", "kafka", "--as-of", PAST_IT, "--escalations")
    assert answered.exit_code == 0, answered.stderr
    # The poison lies past every time replay answers for, so it is never folded: the
    # worker rejected it too, and the answer is the live one with nothing to skip.
    assert "replay skipped" not in answered.stderr
    assert "Traceback" not in answered.stderr
    verified = replay_cli(monkeypatch, env, "verify", "kafka")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    # The poison is past every time replay folds: neither accepted nor refused by it.
    intact = "history intact: 3 events (2 accepted, 0 refused, 1 not folded), 1 subjects"
    assert intact in verified.stdout
    assert "1 recorded events state a time outside the contract's range" in verified.stdout
    assert f"({chained[1].event_id})" in verified.stdout


# Every view, with parameters a hostile client might send: each answer is a 4xx.
BAD_SINCE = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59Z",
    "1999-12-31T23:59:59Z",
    "2100-01-01T00:00:00Z",
    "2026-01-01T00:00:00",
    "yesterday",
    "%00",
    "2026-13-45T99:99:99Z",
    "9" * 6000,
]
ODD_IDS = ["%FF", "%00", "%ED%A0%80", "..%2F..%2Fstats", "%F0%9F%92%A9", "x" * 6000, "%20"]
ID_VIEWS = [
    "/leads/{}",
    "/agreements/{}",
    "/disputes/{}",
    "/partners/{}",
    "/partners/{}/shares",
    "/privacy/leads/{}",
    "/privacy/partners/{}",
    "/privacy/agreements/{}",
]


def test_every_view_answers_4xx_for_bad_parameters(live_worker: LiveWorker) -> None:
    answers: dict[str, int] = {}
    for since in BAD_SINCE:
        answers[f"/escalations?since={since[:40]}"] = live_worker.get(
            f"/escalations?since={since}"
        ).status_code
    for view in ID_VIEWS:
        for odd in ODD_IDS:
            answers[view.format(odd[:40])] = live_worker.get(view.format(odd)).status_code
    answers["/partners/p/no-such-part"] = live_worker.get("/partners/p/no-such-part").status_code
    answers["/stats?since=%FF&x=" + "y" * 10] = live_worker.get(
        "/stats?since=%FF&x=" + "y" * 6000
    ).status_code
    server_errors = {path: status for path, status in answers.items() if status >= 500}
    assert not server_errors, f"{server_errors}\n{live_worker.log_tail()}"
    since_answers = [answers[f"/escalations?since={s[:40]}"] for s in BAD_SINCE]
    assert since_answers == [400] * len(BAD_SINCE)
    assert all(
        400 <= status < 500 for path, status in answers.items() if not path.startswith("/stats")
    )
    for since in ("2000-01-01T00:00:00Z", "2099-12-31T23:59:59.999999Z"):  # both ends
        assert live_worker.get(f"/escalations?since={since}").status_code == 200
    assert live_worker.process.poll() is None


def test_an_out_of_range_time_through_the_http_door_is_422(
    live_worker: LiveWorker, partner_token: str
) -> None:
    lead = f"L-door-{RUN}"
    body = [captured(lead).model_dump(mode="json", exclude={"record", "source_kind"})]
    body[0]["occurred_at"] = POISON_TIME
    answer = httpx.post(
        f"{live_worker.base_url}/events",
        json=body,
        headers={"Authorization": f"Bearer {partner_token}"},
        timeout=10,
    )
    assert answer.status_code == 422, answer.text
    assert OUT_OF_RANGE in answer.text


def test_a_100_kb_header_is_a_warning_without_traceback(live_worker: LiveWorker) -> None:
    before = live_worker.log_path.stat().st_size
    with httpx.Client(timeout=10) as client:
        answer = client.get(f"{live_worker.base_url}/stats", headers={"X-Big": "a" * 100_000})
        assert 400 <= answer.status_code < 500
    # A 100 kB path: httpx refuses to send one, so a plain socket does.
    host, port = live_worker.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(b"GET /leads/" + b"l" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        status = int(raw.recv(64).split(b" ", 2)[1])
    assert 400 <= status < 500
    live_worker.wait_for("/stats")  # still serving
    with live_worker.log_path.open("rb") as log:
        log.seek(before)
        written = log.read().decode(errors="replace")
    lines = [line for line in written.splitlines() if "Error handling request" in line]
    assert len(lines) >= 2, written[-3000:]
    assert all("WARNING" in line for line in lines), lines
    assert "Traceback" not in written
    assert "LineTooLong" not in written.replace("Got more than", "")  # no exception dump


@pytest.mark.parametrize(("method", "path"), [("GET", "/escalations"), ("POST", "/events")])
def test_a_bearer_token_that_is_not_utf8_is_401(
    live_worker: LiveWorker, method: str, path: str
) -> None:
    """Bytes that are not UTF-8 in the token (httpx sends only ASCII headers, so a plain
    socket does): an unknown token, 401, where the digest once raised and answered 500."""
    host, port = live_worker.base_url.removeprefix("http://").split(":")
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n".encode()
        + b"Authorization: Bearer \xff\xfe\xc3\r\nConnection: close\r\n\r\n[]"
    )
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        raw.sendall(request)
        status = int(raw.recv(64).split(b" ", 2)[1])
    assert status == 401
