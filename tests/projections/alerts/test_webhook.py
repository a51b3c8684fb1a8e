"""Signatures as the Standard Webhooks package verifies them, and what answers mean."""

from __future__ import annotations

import base64
import json
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from projections.alerts import webhook
from tests.support.alerts import escalation

SECRET = "whsec_" + base64.b64encode(b"a 32-byte secret for the tests!!").decode()


def test_the_signature_verifies_with_the_standardwebhooks_package() -> None:
    alert = escalation("esc-1")
    body = webhook.body(alert)
    now = int(time.time())
    headers = webhook.headers(SECRET, "esc-1", now, body)
    assert headers["webhook-id"] == "esc-1"
    assert headers["webhook-signature"].startswith("v1,")
    payload = Webhook(SECRET).verify(body, headers)
    assert payload["type"] == "escalation.raised"
    assert payload["data"]["id"] == "esc-1"
    assert payload["data"]["data"]["rule"] == "SAL_NOT_CONVERTED"


def test_another_secret_or_a_changed_body_does_not_verify() -> None:
    body = webhook.body(escalation("esc-2"))
    headers = webhook.headers(SECRET, "esc-2", int(time.time()), body)
    other = "whsec_" + base64.b64encode(b"another secret").decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"SAL", b"MQL"), headers)


def test_the_body_depends_on_the_alert_alone() -> None:
    """Every try sends the same bytes; only the timestamp and signature change."""
    assert webhook.body(escalation("esc-3")) == webhook.body(escalation("esc-3"))
    assert json.loads(webhook.body(escalation("esc-3")))["timestamp"] == "2026-11-02T09:00:00Z"


def test_a_bad_secret_is_refused() -> None:
    with pytest.raises(webhook.SecretError):
        webhook.secret_bytes("whsec_not base64!")
    with pytest.raises(webhook.SecretError):
        webhook.secret_bytes("whsec_")


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (410, "disable"),
        (500, "retry"),
        (429, "retry"),
        (301, "retry"),
        (404, "retry"),
    ],
)
def test_what_an_answer_means(status: int, verdict: str) -> None:
    assert webhook.judge(status).verdict == verdict


def test_a_retry_keeps_the_receivers_retry_after() -> None:
    assert webhook.judge(503, 30.0).retry_after == 30.0
