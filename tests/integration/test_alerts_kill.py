"""The deliverer killed in the middle of a retry: every alert reaches every endpoint it is
routed to, and an id arrives twice only where the kill fell between a send and its record.

Alerts are published on the escalations topic as the worker writes them. Each endpoint
answers an id's first request 500 (so retries are pending when the kill comes) and its
second 200; the second request of one chosen id SIGKILLs the deliverer inside the
receiver, after the request arrived and before its answer could be recorded. The outbox
read after the kill says which acknowledged sends were recorded: only the others may
arrive again after the restart.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from streams.alerts.outbox import outbox_path
from streams.broker.admin import create_topics
from streams.broker.topics import ESCALATIONS, topic_name
from tests.support.alert_receivers import SECRET, WebhookReceiver, running
from tests.support.alerts import escalation
from tests.support.deliverer import deliverer
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish

pytestmark = pytest.mark.integration
ENDPOINTS = ("hook-a", "hook-b")
ALERTS = 30
KILL_ON = 12  # the alert whose acknowledged send to hook-a kills the deliverer


def recorded_delivered(home: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(outbox_path(home)) as db:
        rows = db.execute("SELECT alert_id, endpoint FROM deliveries WHERE state = 'delivered'")
        return set(rows)


def test_a_kill_mid_retry_loses_nothing_and_doubles_only_unrecorded_sends(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    namespace = f"t{uuid.uuid4().hex[:10]}"
    create_topics(kafka_config(kafka_bootstrap), namespace)
    ids = [f"kill-{uuid.uuid4().hex[:6]}-{n:02d}" for n in range(ALERTS)]
    trigger = ids[KILL_ON]
    killed = False

    def script(endpoint: str, webhook_id: str, seen: int) -> tuple[int, dict[str, str]]:
        nonlocal killed
        if seen == 0:
            return 500, {}
        if endpoint == "hook-a" and webhook_id == trigger and not killed:
            killed = True
            return 200, {"x-kill-deliverer": "1"}
        return 200, {}

    receiver = WebhookReceiver(script)
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[alerts.routes]\nSAL_NOT_CONVERTED = ['sales-management']\n"
        + "".join(
            f"[alerts.endpoints.{name}]\nrecipient = 'sales-management'\n"
            f"webhook = '{receiver.url(name)}'\n"
            for name in ENDPOINTS
        )
    )
    secrets = {
        f"LEADLEDGER_WEBHOOK_SECRET_{n.upper().replace('-', '_')}": SECRET for n in ENDPOINTS
    }
    wanted = {(i, endpoint) for i in ids for endpoint in ENDPOINTS}
    with (
        running(receiver),
        deliverer(tmp_path, kafka_bootstrap, namespace, policy, **secrets) as process,
    ):
        receiver.kill_pid = process.start().pid
        with producer(kafka_bootstrap) as prod:
            publish(prod, topic_name(ESCALATIONS, namespace), *map(escalation, ids))
        assert process.process is not None
        process.wait_until(
            lambda: process.process is not None and process.process.poll() is not None, "the kill"
        )
        assert process.process.returncode == -9

        before_kill = receiver.acknowledged()
        recorded = recorded_delivered(tmp_path)
        unrecorded = set(before_kill) - recorded  # sent and acknowledged, not recorded
        assert (trigger, "hook-a") in unrecorded
        assert recorded <= set(before_kill)
        pending = wanted - set(before_kill)
        assert pending, "the kill came after everything was delivered: no retry was cut"
        requests_before = len(receiver.requests)

        process.start()
        process.wait_until(lambda: set(receiver.acknowledged()) >= wanted, "every id delivered")
        process.wait_until(
            lambda: recorded_delivered(tmp_path) >= wanted, "every delivery recorded"
        )

    acknowledged = receiver.acknowledged()
    assert set(acknowledged) == wanted
    twice = {key for key, n in acknowledged.items() if n > 1}
    assert twice <= unrecorded
    assert max(acknowledged.values()) <= 2
    after_restart = receiver.requests[requests_before:]
    assert not {(r.webhook_id, r.endpoint) for r in after_restart} & recorded
    assert all(r.verified for r in receiver.requests)
    print(
        f"kill test: {len(wanted)} deliveries; at the kill {len(recorded)} recorded, "
        f"{len(unrecorded)} acknowledged but unrecorded, {len(pending)} pending; "
        f"delivered twice: {sorted(twice)}"
    )
