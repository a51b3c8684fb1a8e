"""The deliverer refuses to start on an endpoint it could not reach, naming it."""

from __future__ import annotations

import aiohttp
import pytest

from projections.alerts.routing import AlertsPolicy, Endpoint
from streams.alerts.deliverer import ConfigurationError, build_senders
from streams.alerts.secrets import AlertSecrets
from streams.alerts.settings import DeliverSettings


async def test_a_webhook_without_a_secret_or_an_email_without_smtp_is_refused() -> None:
    hook = AlertsPolicy(endpoints={"m-hook": Endpoint(recipient="m", webhook="https://x.example")})
    mail = AlertsPolicy(endpoints={"m-mail": Endpoint(recipient="m", email="m@example.com")})
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ConfigurationError, match="LEADLEDGER_WEBHOOK_SECRET_M_HOOK"):
            build_senders(hook, AlertSecrets(), DeliverSettings(), session, lambda: 0.0)
        with pytest.raises(ConfigurationError, match="m-mail: email, but LEADLEDGER_SMTP_HOST"):
            build_senders(mail, AlertSecrets(), DeliverSettings(), session, lambda: 0.0)
        senders = build_senders(
            hook, AlertSecrets({"m-hook": "whsec_AAAA"}), DeliverSettings(), session, lambda: 0.0
        )
        assert list(senders) == ["m-hook"]
