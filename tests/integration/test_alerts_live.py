"""Alerts from the live worker to people and systems, on the real broker.

A lead published three hours in the past becomes an MQL (``mql_to_sales``, routed to
marketing: a webhook that answers 500, then 503 with Retry-After, then 200; and an email
over STARTTLS) and escalates ``MQL_NOT_ASSIGNED`` at once (routed to marketing-ops: a
webhook that answers 200, and one that answers 410 and so is disabled, the alert going to
the dead-letter topic).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from schemas.codec import decode
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadCaptured,
    LeadCapturedData,
    Person,
)
from schemas.system_events import EscalationRaised, NotificationRaised
from streams.broker.topics import ALERTS_DEAD, LEADS, NOTIFICATIONS, topic_name
from tests.support.alert_receivers import (
    SECRET,
    SMTP_PASSWORD,
    SMTP_USER,
    WebhookReceiver,
    running,
    smtp_server,
)
from tests.support.deliverer import deliverer
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
RETRY_AFTER = 2


def script(endpoint: str, webhook_id: str, seen: int) -> tuple[int, dict[str, str]]:
    if endpoint == "flaky":
        if seen == 0:
            return 500, {}
        if seen == 1:
            return 503, {"Retry-After": str(RETRY_AFTER)}
    if endpoint == "gone":
        return 410, {}
    return 200, {}


def backdated_mql(lead_id: str) -> list[LeadCaptured | LeadActivity]:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    captured = LeadCaptured(
        event_id=f"{lead_id}-1",
        subject=lead_id,
        occurred_at=start,
        source="acme",
        data=LeadCapturedData(person=Person(email=f"{lead_id}@example.com")),
    )
    activities = [
        LeadActivity(
            event_id=f"{lead_id}-{n}",
            subject=lead_id,
            occurred_at=start + timedelta(minutes=n),
            source="acme",
            data=LeadActivityData(activity=activity),
        )
        for n, activity in enumerate(["demo_request", "request_quote", "content_download"], 2)
    ]
    return [captured, *activities]


def dead_letters(bootstrap: str, topic: str) -> list[tuple[dict[str, bytes], bytes]]:
    consumer = KafkaConsumer(
        topic,
        **kafka_config(bootstrap),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    try:
        return [(dict(m.headers), m.value) for m in consumer]
    finally:
        consumer.close()


def test_alerts_reach_webhooks_and_email_with_retries_410_and_dead_letters(
    live_worker: LiveWorker, tmp_path: Path
) -> None:
    receiver = WebhookReceiver(script)
    lead_id = f"lead-alerts-{uuid.uuid4().hex[:8]}"
    with running(receiver), smtp_server(tmp_path / "smtp", implicit=False) as (mailbox, port, ca):
        policy = tmp_path / "policy.toml"
        policy.write_text(
            "[alerts.routes]\n"
            "mql_to_sales = ['marketing']\nMQL_NOT_ASSIGNED = ['marketing-ops']\n"
            f"[alerts.endpoints.marketing-hook]\nrecipient = 'marketing'\n"
            f"webhook = '{receiver.url('flaky')}'\n"
            "[alerts.endpoints.marketing-mail]\nrecipient = 'marketing'\n"
            "email = 'marketing@example.com'\n"
            f"[alerts.endpoints.ops-hook]\nrecipient = 'marketing-ops'\n"
            f"webhook = '{receiver.url('ok')}'\n"
            f"[alerts.endpoints.ops-gone]\nrecipient = 'marketing-ops'\n"
            f"webhook = '{receiver.url('gone')}'\n"
        )
        secrets = {
            f"LEADLEDGER_WEBHOOK_SECRET_{name}": SECRET
            for name in ("MARKETING_HOOK", "OPS_HOOK", "OPS_GONE")
        }
        smtp = {
            "LEADLEDGER_SMTP_HOST": "127.0.0.1",
            "LEADLEDGER_SMTP_PORT": str(port),
            "LEADLEDGER_SMTP_TLS": "starttls",
            "LEADLEDGER_SMTP_CAFILE": str(ca),
            "LEADLEDGER_SMTP_USERNAME": SMTP_USER,
            "LEADLEDGER_SMTP_PASSWORD": SMTP_PASSWORD,
            "LEADLEDGER_SMTP_FROM": "leadledger@example.com",
        }
        home = tmp_path / "home"
        with deliverer(
            home, live_worker.bootstrap, live_worker.namespace, policy, **secrets, **smtp
        ) as process:
            process.start()
            with producer(live_worker.bootstrap) as prod:
                publish(prod, topic_name(LEADS, live_worker.namespace), *backdated_mql(lead_id))
            notification = next(
                e
                for e in read_until(
                    live_worker.bootstrap,
                    topic_name(NOTIFICATIONS, live_worker.namespace),
                    lambda found: any(_mql_of(e, lead_id) for e in found),
                )
                if _mql_of(e, lead_id)
            )
            assert isinstance(notification, NotificationRaised)
            notification_id = notification.data.notification_id
            view = live_worker.wait_for(f"/leads/{lead_id}").json()
            while not view["escalations"]:
                view = live_worker.wait_for(f"/leads/{lead_id}").json()
            escalation_id = view["escalations"][0]["escalation_id"]
            dead_topic = topic_name(ALERTS_DEAD, live_worker.namespace)
            process.wait_until(
                lambda: (
                    any(r.answered == 200 for r in receiver.of("flaky", notification_id))
                    and bool(mailbox.with_id(f"<{notification_id}@leadledger>"))
                    and any(r.answered == 200 for r in receiver.of("ok", escalation_id))
                    and any(
                        h.get("alert-id") == escalation_id.encode()
                        for h, _ in dead_letters(live_worker.bootstrap, dead_topic)
                    )
                ),
                "the notification at marketing, the escalation at ops-hook and dead-lettered",
            )

    # Marketing's webhook: 500, then 503 with Retry-After honoured, then 200; same id.
    tries = receiver.of("flaky", notification_id)
    assert [r.answered for r in tries] == [500, 503, 200]
    assert tries[2].at - tries[1].at >= RETRY_AFTER - 0.1
    # Marketing's email, over STARTTLS, once.
    ((mail, over_tls),) = mailbox.with_id(f"<{notification_id}@leadledger>")
    assert over_tls
    assert mail["To"] == "marketing@example.com"
    assert lead_id in mail["Subject"]
    # The 410 endpoint: disabled after its first 410 (whichever alert that was); the
    # escalation went to the dead-letter topic under its own id, naming the endpoint.
    assert len(receiver.of("gone")) <= 1
    dead = [
        (headers, decode(value))
        for headers, value in dead_letters(live_worker.bootstrap, dead_topic)
        if headers.get("alert-id") == escalation_id.encode()
    ]
    headers, event = dead[0]
    assert isinstance(event, EscalationRaised)
    assert event.data.escalation_id == escalation_id
    assert headers["endpoint"] == b"ops-gone"
    assert b"410" in headers["last-error"]
    assert [r.answered for r in receiver.of("ok", escalation_id)] == [200]
    assert all(r.verified for r in receiver.requests)


def _mql_of(event: object, lead_id: str) -> bool:
    return (
        isinstance(event, NotificationRaised)
        and event.subject == lead_id
        and event.data.kind == "mql_to_sales"
    )
