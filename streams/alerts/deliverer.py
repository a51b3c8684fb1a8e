"""``leadledger deliver``: the intake and the dispatcher, in one process, until stopped.

Its own consumer group (``<namespace>.deliver``) on the escalations and notifications
topics, connecting as the worker (``streams/identity/clients.py``); an HTTP session for
the webhooks; a producer for the dead-letter topic. Nothing escapes the two loops: each
logs a failure and goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import aiohttp
from aiokafka import AIOKafkaProducer

from projections.alerts.routing import AlertsPolicy
from projections.alerts.webhook import secret_bytes
from projections.policy import load_policy
from streams.admission import relay
from streams.alerts.dispatcher import Dispatcher
from streams.alerts.intake import Intake
from streams.alerts.outbox import Delivery, Outbox, outbox_path
from streams.alerts.secrets import AlertSecrets, load_secrets, webhook_variable
from streams.alerts.senders import EmailSender, Sender, WebhookSender
from streams.alerts.settings import DeliverSettings
from streams.broker.topics import ALERTS_DEAD, ESCALATIONS, NOTIFICATIONS, topic_name
from streams.identity.clients import access
from streams.identity.registry import RegistryFollower, registry_path
from streams.settings import Settings

log = logging.getLogger(__name__)


class ConfigurationError(ValueError):
    """The policy routes to an endpoint the deliverer cannot reach: no secret, no SMTP."""


def consumer_group(namespace: str) -> str:
    return f"{namespace}.deliver"


def build_senders(
    policy: AlertsPolicy,
    secrets: AlertSecrets,
    settings: DeliverSettings,
    session: aiohttp.ClientSession,
    clock: Callable[[], float],
) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    for name, endpoint in policy.endpoints.items():
        if endpoint.webhook is not None:
            secret = secrets.webhook(name)
            if secret is None:
                raise ConfigurationError(
                    f"endpoint {name}: no secret ({webhook_variable(name)} or alert-secrets.json)"
                )
            secret_bytes(secret)  # a malformed secret stops the start, not every send
            senders[name] = WebhookSender(
                endpoint.webhook, secret, session, settings.request_timeout, clock
            )
        elif endpoint.email is not None:
            if settings.smtp is None:
                raise ConfigurationError(f"endpoint {name}: email, but LEADLEDGER_SMTP_HOST unset")
            senders[name] = EmailSender(
                endpoint.email, settings.smtp, secrets.smtp_password, settings.request_timeout
            )
    return senders


def dead_letter_headers(delivery: Delivery) -> list[tuple[str, bytes]]:
    return [
        ("alert-id", delivery.alert_id.encode()),
        ("endpoint", delivery.endpoint.encode()),
        ("attempts", str(delivery.attempts).encode()),
        ("last-error", (delivery.last_error or "").encode()),
    ]


async def deliver(
    settings: Settings,
    deliver_settings: DeliverSettings,
    environ: Mapping[str, str],
    clock: Callable[[], float] = time.time,
) -> None:
    """Run until cancelled."""
    policy = load_policy(settings.policy_file).alerts
    secrets = load_secrets(settings.home, list(policy.endpoints), environ)
    outbox = Outbox(deliver_settings.outbox_file or outbox_path(settings.home))
    partners = RegistryFollower(registry_path(settings.home))
    client = access(settings.bootstrap_servers, role="worker", home=settings.home).aiokafka()
    dead_topic = topic_name(ALERTS_DEAD, settings.namespace)
    producer = AIOKafkaProducer(**client, acks="all", enable_idempotence=True)
    try:
        async with aiohttp.ClientSession() as session:
            senders = build_senders(policy, secrets, deliver_settings, session, clock)

            async def dead_letter(delivery: Delivery) -> None:
                await producer.send_and_wait(
                    dead_topic,
                    delivery.record_value,
                    key=delivery.record_key,
                    headers=dead_letter_headers(delivery),
                )

            dispatcher = Dispatcher(
                outbox,
                senders=senders,
                schedule=deliver_settings.schedule,
                dead_letter=dead_letter,
                clock=clock,
                concurrency=deliver_settings.concurrency,
            )
            intake = Intake(
                outbox,
                policy,
                lambda: frozenset(partners.current()),
                clock,
                dispatcher.wake.set,
            )
            topics = [topic_name(spec, settings.namespace) for spec in (ESCALATIONS, NOTIFICATIONS)]
            await producer.start()
            log.info(
                "deliver: %d endpoints (%s); outbox %s; reading %s",
                len(senders),
                ", ".join(sorted(senders)) or "none",
                outbox.path,
                ", ".join(topics),
            )
            await asyncio.gather(
                relay.run(
                    "deliver",
                    lambda: relay.consumer_for(
                        client, consumer_group(settings.namespace), topics=topics
                    ),
                    intake.handle,
                ),
                dispatcher.run(),
            )
    finally:
        await producer.stop()
        outbox.close()


def outbox_file(settings: Settings, deliver_settings: DeliverSettings) -> Path:
    return deliver_settings.outbox_file or outbox_path(settings.home)
