"""One try of one delivery: a signed webhook POST, or an email over SMTP with TLS.

Each sender answers with a :class:`projections.alerts.webhook.Answer`; an exception
(a refused connection, a timeout, a TLS failure) is the dispatcher's to turn into a
retry.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import aiosmtplib

from projections.alerts import email, webhook
from projections.alerts.retry import parse_retry_after
from projections.alerts.webhook import Answer
from schemas.codec import decode
from schemas.system_events import EscalationRaised, NotificationRaised
from streams.alerts.outbox import Delivery
from streams.alerts.settings import SmtpSettings


class Sender(Protocol):
    async def send(self, delivery: Delivery) -> Answer: ...


@dataclass(frozen=True, slots=True)
class WebhookSender:
    url: str
    secret: str
    session: aiohttp.ClientSession
    timeout: float
    clock: Callable[[], float]

    async def send(self, delivery: Delivery) -> Answer:
        now = self.clock()
        sent_headers = webhook.headers(self.secret, delivery.alert_id, int(now), delivery.body)
        async with self.session.post(
            self.url,
            data=delivery.body,
            headers=sent_headers,
            allow_redirects=False,  # a redirect is a failure, as the specification has it
            timeout=aiohttp.ClientTimeout(total=self.timeout),
        ) as response:
            await response.read()
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
            return webhook.judge(response.status, retry_after)


def smtp_tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    """The server's certificate is checked, against ``cafile`` when one is given."""
    cafile = str(settings.cafile) if settings.cafile else None
    return ssl.create_default_context(cafile=cafile)


@dataclass(frozen=True, slots=True)
class EmailSender:
    address: str
    smtp: SmtpSettings
    password: str | None
    timeout: float

    async def send(self, delivery: Delivery) -> Answer:
        alert = decode(delivery.record_value)
        if not isinstance(alert, EscalationRaised | NotificationRaised):
            return Answer("retry", f"not an alert: {alert.type}")  # cannot happen: queued so
        mail = email.message(alert, self.smtp.sender, self.address)
        implicit = self.smtp.tls == "implicit"
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.smtp.host,
                port=self.smtp.port,
                use_tls=implicit,
                start_tls=not implicit,  # required: never falls back to plaintext
                tls_context=smtp_tls_context(self.smtp),
                username=self.smtp.username,
                password=self.password if self.smtp.username else None,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Answer("retry", f"recipient refused: {exc}")
        except aiosmtplib.SMTPResponseException as exc:
            return Answer("retry", f"SMTP {exc.code} {exc.message}")
        return Answer("delivered", "accepted by the SMTP server")
