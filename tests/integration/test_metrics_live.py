"""``GET /metrics`` on a real worker, held against ``/stats`` and the views.

Good and bad events go to lead intake: MQLs whose hour to be assigned ran out a day
ago (an escalation each), one whose hour runs now (an open clock), undecodable bytes,
an event keyed by another subject and an event id reused with other content. Then
``/metrics``, parsed as Prometheus parses it, must say what ``/stats``,
``GET /escalations`` and ``GET /leads/{id}`` say. The worker is the session's: other
tests' events are in its counters and tables, so what is compared is either the whole
(the counters, the escalations table) or what this test's events changed.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from schemas.codec import encode
from schemas.events import Event, parse_event
from streams.broker.topics import LEADS, topic_name
from streams.web.token_store import issue
from tests.support.kafka_io import producer, publish, publish_raw
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
NOW = datetime.now(UTC).replace(microsecond=0)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _event(kind: str, lead: str, n: int, when: datetime, **data: Any) -> Event:
    return parse_event(
        {
            "event_id": f"{lead}-{n}",
            "type": kind,
            "subject": lead,
            "occurred_at": when,
            "source": "crm",
            "data": data,
        }
    )


def _mql(lead: str, when: datetime) -> list[Event]:
    return [
        _event("LeadCaptured", lead, 1, when, person={"email": f"{lead}@example.com"}),
        _event("LeadActivity", lead, 2, when + timedelta(minutes=1), activity="demo_request"),
        _event("LeadActivity", lead, 3, when + timedelta(minutes=2), activity="request_quote"),
        _event("LeadActivity", lead, 4, when + timedelta(minutes=3), activity="content_download"),
    ]  # 30 + 40 + 8 points: an MQL, whose hour to be assigned starts


def scrape(live_worker: LiveWorker) -> Samples:
    answer = live_worker.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **where: str) -> float:
    return sum(
        value
        for (n, labels), value in samples.items()
        if n == name and all(dict(labels).get(k) == v for k, v in where.items())
    )


def by_label(samples: Samples, name: str, label: str) -> dict[str, float]:
    found: Counter[str] = Counter()
    for (n, labels), value in samples.items():
        if n == name:
            found[dict(labels)[label]] += int(value)
    return dict(found)


def wait_until(what: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answer := what():
            return answer
        time.sleep(0.3)
    pytest.fail("timed out")


def test_metrics_agree_with_stats_and_the_views(own_worker: LiveWorker) -> None:
    """On a worker of its own: what other modules left in flight on the session's
    worker would move its counters between the two scrapes."""
    live_worker = own_worker
    assert live_worker.get_as("/metrics", None).status_code == 401
    _, partner_token = issue(live_worker.tokens_path, "partner", partner_id=f"m-{RUN}")
    assert live_worker.get_as("/metrics", partner_token).status_code == 403

    late = [f"met-late-{RUN}-{i}" for i in range(2)]
    waiting = f"met-open-{RUN}"
    good = [e for lead in late for e in _mql(lead, NOW - timedelta(days=1))]
    good += _mql(waiting, NOW - timedelta(minutes=5))
    reused = _event("LeadActivity", waiting, 2, NOW, activity="webinar")  # id of another
    miskeyed = _event("LeadActivity", late[0], 9, NOW, activity="webinar")
    before_stats = live_worker.stats()["counters"]
    before = scrape(live_worker)

    leads_topic = topic_name(LEADS, live_worker.namespace)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, leads_topic, *good)
        publish(prod, leads_topic, reused)
        publish_raw(prod, leads_topic, b"met-bytes", b"\x00 not an event")
        publish_raw(prod, leads_topic, waiting.encode(), encode(miskeyed))
    sent = len(good) + 3

    def settled() -> dict[str, Any] | None:
        stats: dict[str, Any] = live_worker.stats()["counters"]
        moved = stats["received"] - before_stats["received"]
        done = moved >= sent and stats["received"] == stats["processed"] + stats["rejected"]
        rows = live_worker.get("/escalations").json()
        raised = {r["subject"] for r in rows if r["rule"] == "MQL_NOT_ASSIGNED"}
        return stats if done and set(late) <= raised else None

    wait_until(settled)
    after = scrape(live_worker)
    stats = live_worker.stats()["counters"]

    # The counters: /metrics breaks down exactly what /stats counts.
    received = total(after, "leadledger_events_received_total")
    processed = total(after, "leadledger_events_processed_total")
    rejected = total(after, "leadledger_events_rejected_total")
    assert (received, processed, rejected) == (
        stats["received"],
        stats["processed"],
        stats["rejected"],
    )
    assert received == processed + rejected
    for reason in ("undecodable", "envelope", "reused_id"):
        name = "leadledger_events_rejected_total"
        grew = total(after, name, reason=reason) - total(before, name, reason=reason)
        assert grew == 1, reason
    undecodable = total(after, "leadledger_events_received_total", type="unknown")
    assert undecodable - total(before, "leadledger_events_received_total", type="unknown") == 1
    captured = total(after, "leadledger_events_processed_total", type="LeadCaptured")
    assert captured - total(before, "leadledger_events_processed_total", type="LeadCaptured") == 3

    # Escalations by rule: the rows GET /escalations lists, all of them.
    rows = live_worker.get("/escalations").json()
    assert by_label(after, "leadledger_escalations", "rule") == dict(
        Counter(r["rule"] for r in rows)
    )

    # Open clocks: what this test's leads' views show open is what the figure gained.
    views = [live_worker.get(f"/leads/{lead}").json() for lead in [*late, waiting]]
    opened = Counter(c["rule"] for view in views for c in view["open_clocks"])
    assert "MQL_NOT_ASSIGNED" in {c["rule"] for c in views[-1]["open_clocks"]}  # waiting
    gained = Counter(by_label(after, "leadledger_open_clocks", "rule"))
    gained.subtract(by_label(before, "leadledger_open_clocks", "rule"))
    assert {rule: n for rule, n in gained.items() if n} == dict(opened)
    assert total(after, "leadledger_clocks_due_unfired", rule="MQL_NOT_ASSIGNED") == total(
        before, "leadledger_clocks_due_unfired", rule="MQL_NOT_ASSIGNED"
    )

    # Per-process instruments moved; the lag of the leads partitions is reported.
    assert total(after, "leadledger_batch_size_count", topic=leads_topic) > total(
        before, "leadledger_batch_size_count", topic=leads_topic
    )
    assert total(after, "leadledger_handling_seconds_count", topic=leads_topic) > 0
    # A partition has a lag once its first commit is known (Faust commits every few
    # seconds; a fresh namespace may not have committed at the first scrape).
    lags = wait_until(
        lambda: [v for (n, _), v in scrape(live_worker).items() if n == "leadledger_consumer_lag"]
    )
    assert all(v >= 0 for v in lags)
    assert ("leadledger_watchdog_exits_total", ()) in after
