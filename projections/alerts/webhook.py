"""What a webhook carries, how it is signed, and what its answer means.

Standard Webhooks (https://www.standardwebhooks.com/): headers ``webhook-id`` (here the
escalation's or notification's id, the same on every try, so a receiver drops
duplicates), ``webhook-timestamp`` (seconds since the epoch, at this try) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``
under the endpoint's secret, ``whsec_`` and base64 bytes). The body is JSON:
``type``, ``timestamp`` and ``data``, the alert as the contract writes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from projections.alerts.routing import Alert, alert_id
from schemas.system_events import EscalationRaised

SECRET_PREFIX = "whsec_"  # noqa: S105 - the specification's prefix, not a secret
EVENT_TYPES = {"EscalationRaised": "escalation.raised", "NotificationRaised": "notification.raised"}


class SecretError(ValueError):
    """A webhook secret that is not ``whsec_`` and base64 of at least one byte."""


def secret_bytes(secret: str) -> bytes:
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except ValueError as exc:
        raise SecretError("a webhook secret is whsec_ followed by base64") from exc
    if not key:
        raise SecretError("a webhook secret may not be empty")
    return key


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def body(alert: Alert) -> bytes:
    """The JSON body, made once when the alert is queued and sent unchanged on every
    try. Its ``timestamp`` is when the alert was raised (the clock's due time for an
    escalation), so the body depends on the alert alone."""
    raised: datetime = (
        alert.data.due_at if isinstance(alert, EscalationRaised) else alert.occurred_at
    )
    payload = {
        "type": EVENT_TYPES[alert.type],
        "timestamp": raised.isoformat().replace("+00:00", "Z"),
        "data": {"id": alert_id(alert), **alert.model_dump(mode="json", exclude_none=True)},
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


Verdict = Literal["delivered", "retry", "disable"]


@dataclass(frozen=True, slots=True)
class Answer:
    """What one try came to: delivered, try again (maybe after ``retry_after`` s), or
    the endpoint is gone (410: the specification says to disable it)."""

    verdict: Verdict
    detail: str
    retry_after: float | None = None


def judge(status: int, retry_after: float | None = None) -> Answer:
    if 200 <= status < 300:
        return Answer("delivered", f"HTTP {status}")
    if status == 410:
        return Answer("disable", "HTTP 410 Gone: the endpoint is disabled")
    # Anything else, redirects included (not followed), is a failure to try again.
    return Answer("retry", f"HTTP {status}", retry_after)
