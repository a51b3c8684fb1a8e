"""Email over SMTP with TLS, STARTTLS and implicit, against a local aiosmtpd server whose
certificate is made in the test; a server the client does not trust gets nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.alerts import webhook
from schemas.codec import encode
from streams.alerts.outbox import Delivery
from streams.alerts.senders import EmailSender
from streams.alerts.settings import SmtpSettings
from tests.support.alert_receivers import SMTP_PASSWORD, SMTP_USER, smtp_server
from tests.support.alerts import escalation


def delivery(alert_id: str) -> Delivery:
    alert = escalation(alert_id)
    return Delivery(alert_id, "mail", None, encode(alert), webhook.body(alert), 0, None)


# aiosmtpd warns that AUTH without its own STARTTLS is unsafe: here the connection is TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
async def test_an_alert_is_mailed_over_tls(tmp_path: Path, implicit: bool) -> None:
    with smtp_server(tmp_path, implicit=implicit) as (mailbox, port, cafile):
        smtp = SmtpSettings(
            host="127.0.0.1",
            port=port,
            tls="implicit" if implicit else "starttls",
            sender="leadledger@example.com",
            username=SMTP_USER,
            cafile=cafile,
        )
        sender = EmailSender("sales-management@example.com", smtp, SMTP_PASSWORD, 10.0)
        answer = await sender.send(delivery("esc-mail-1"))
        assert answer.verdict == "delivered", answer.detail
        ((mail, over_tls),) = mailbox.with_id("<esc-mail-1@leadledger>")
        assert over_tls
        assert mail["To"] == "sales-management@example.com"
        assert "SAL_NOT_CONVERTED" in mail["Subject"]


async def test_a_server_whose_certificate_is_not_trusted_gets_nothing(tmp_path: Path) -> None:
    with smtp_server(tmp_path, implicit=False) as (mailbox, port, _):
        smtp = SmtpSettings("127.0.0.1", port, "starttls", "leadledger@example.com", SMTP_USER)
        sender = EmailSender("sales-management@example.com", smtp, SMTP_PASSWORD, 10.0)
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"):
            await sender.send(delivery("esc-mail-2"))
        assert mailbox.messages == []
