"""The dispatcher over a real outbox, with scripted endpoints and a clock the test moves:
retries on the schedule, Retry-After, 410 disabling, the dead-letter topic, and no
second send of what was recorded delivered."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.alerts import webhook
from projections.alerts.retry import RetrySchedule
from projections.alerts.webhook import Answer
from schemas.codec import encode
from streams.alerts.dispatcher import Dispatcher
from streams.alerts.outbox import Delivery, Outbox, Queued
from streams.alerts.secrets import AlertSecrets, SecretsError, load_secrets, write_secrets
from tests.support.alerts import escalation


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Scripted:
    """Answers from a script, then 200; keeps every id it was sent."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.received: list[str] = []

    async def send(self, delivery: Delivery) -> Answer:
        self.received.append(delivery.alert_id)
        return self.answers.pop(0) if self.answers else webhook.judge(200)


def queued(alert_id: str, endpoint: str) -> Queued:
    alert = escalation(alert_id)
    return Queued(alert_id, endpoint, alert.subject.encode(), encode(alert), webhook.body(alert))


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    return Outbox(tmp_path / "deliveries.sqlite3")


def dispatcher(
    outbox: Outbox, clock: Clock, dead: list[Delivery], **senders: Scripted
) -> Dispatcher:
    async def dead_letter(delivery: Delivery) -> None:
        dead.append(delivery)

    return Dispatcher(
        outbox,
        senders=senders,
        schedule=RetrySchedule((0, 5, 300)),
        dead_letter=dead_letter,
        clock=clock,
    )


async def run_due(d: Dispatcher) -> None:
    """One pass: start what is due, wait for it, dead-letter what died."""
    d._start_due()
    for task in list(d._in_flight.values()):
        await task
    await d._dead_letters()


async def test_a_failure_is_retried_on_the_schedule_and_honours_retry_after(outbox: Outbox) -> None:
    clock, dead = Clock(), list[Delivery]()
    hook = Scripted(webhook.judge(500), webhook.judge(503, retry_after=60))
    d = dispatcher(outbox, clock, dead, hook=hook)
    outbox.queue([queued("e1", "hook")], clock.now)
    await run_due(d)
    assert hook.received == ["e1"]
    clock.now += 4.9
    await run_due(d)
    assert hook.received == ["e1"]  # not before the schedule's 5 s
    clock.now += 0.1
    await run_due(d)
    assert hook.received == [
        "e1",
        "e1",
    ]  # 503 with Retry-After 60: the schedule's 300 s is longer
    clock.now += 299
    await run_due(d)
    assert len(hook.received) == 2
    clock.now += 1
    await run_due(d)
    assert hook.received == ["e1", "e1", "e1"]
    assert outbox.states() == {("e1", "hook"): "delivered"}
    clock.now += 10**6
    await run_due(d)
    assert len(hook.received) == 3  # delivered and recorded: never sent again
    assert dead == []


async def test_retry_after_longer_than_the_schedule_wins(outbox: Outbox) -> None:
    clock, dead = Clock(), list[Delivery]()
    hook = Scripted(webhook.judge(429, retry_after=60))
    d = dispatcher(outbox, clock, dead, hook=hook)
    outbox.queue([queued("e1", "hook")], clock.now)
    await run_due(d)
    clock.now += 59
    await run_due(d)
    assert hook.received == ["e1"]
    clock.now += 1
    await run_due(d)
    assert hook.received == ["e1", "e1"]


async def test_after_the_last_retry_the_alert_goes_to_the_dead_letter_topic(outbox: Outbox) -> None:
    clock, dead = Clock(), list[Delivery]()
    hook = Scripted(*[webhook.judge(500)] * 3)
    d = dispatcher(outbox, clock, dead, hook=hook)
    outbox.queue([queued("e1", "hook")], clock.now)
    for _ in range(5):
        await run_due(d)
        clock.now += 1000
    assert hook.received == ["e1"] * 3
    assert [(x.alert_id, x.attempts, x.last_error) for x in dead] == [("e1", 3, "HTTP 500")]
    assert outbox.states() == {("e1", "hook"): "dead"}
    await run_due(d)
    assert len(dead) == 1  # copied once


async def test_a_410_disables_the_endpoint_and_dead_letters_what_waits_for_it(
    outbox: Outbox,
) -> None:
    clock, dead = Clock(), list[Delivery]()
    gone, other = Scripted(webhook.judge(410)), Scripted()
    d = dispatcher(outbox, clock, dead, gone=gone, other=other)
    outbox.queue([queued("e1", "gone"), queued("e1", "other")], clock.now)
    await run_due(d)
    assert outbox.disabled() == {"gone": "HTTP 410 Gone: the endpoint is disabled"}
    outbox.queue([queued("e2", "gone"), queued("e2", "other")], clock.now)
    await run_due(d)
    assert gone.received == ["e1"]  # never again
    assert sorted(other.received) == ["e1", "e2"]
    assert sorted((x.alert_id, x.endpoint) for x in dead) == [("e1", "gone"), ("e2", "gone")]
    assert outbox.enable("gone")
    outbox.queue([queued("e3", "gone")], clock.now)
    await run_due(d)
    assert gone.received == ["e1", "e3"]


async def test_an_exception_is_a_failure_to_retry(outbox: Outbox) -> None:
    class Refused:
        async def send(self, delivery: Delivery) -> Answer:
            raise ConnectionRefusedError("no one listens")

    clock, dead = Clock(), list[Delivery]()
    d = Dispatcher(
        outbox,
        senders={"hook": Refused()},
        schedule=RetrySchedule((0, 5)),
        dead_letter=lambda x: _append(dead, x),
        clock=clock,
    )
    outbox.queue([queued("e1", "hook")], clock.now)
    await run_due(d)
    assert outbox.states() == {("e1", "hook"): "pending"}


async def _append(dead: list[Delivery], delivery: Delivery) -> None:
    dead.append(delivery)


def test_an_alert_read_twice_is_queued_once(outbox: Outbox) -> None:
    assert outbox.queue([queued("e1", "hook")], 1.0) == 1
    assert outbox.queue([queued("e1", "hook")], 2.0) == 0


def test_pending_retries_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.sqlite3"
    first = Outbox(path)
    first.queue([queued("e1", "hook")], 1000.0)
    (delivery,) = first.due(1000.0, 10, set())
    first.failed(delivery, 1300.0, 1000.0, "HTTP 500")
    first.close()
    again = Outbox(path)
    assert again.due(1299.0, 10, set()) == []
    (retry,) = again.due(1300.0, 10, set())
    assert (retry.alert_id, retry.attempts, retry.last_error) == ("e1", 1, "HTTP 500")
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_secrets_come_from_the_environment_or_an_owner_only_file(tmp_path: Path) -> None:
    write_secrets(tmp_path, AlertSecrets({"hook": "whsec_AAAA"}, "smtp-pass"))
    secrets = load_secrets(
        tmp_path, ["hook", "other-hook"], {"LEADLEDGER_WEBHOOK_SECRET_OTHER_HOOK": "whsec_BBBB"}
    )
    assert secrets.webhooks == {"hook": "whsec_AAAA", "other-hook": "whsec_BBBB"}
    assert secrets.smtp_password == "smtp-pass"
    (tmp_path / "alert-secrets.json").chmod(0o644)
    with pytest.raises(SecretsError, match="readable by others"):
        load_secrets(tmp_path, [], {})
