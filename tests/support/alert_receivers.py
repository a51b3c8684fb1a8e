"""What the deliverer's live tests deliver to: a local aiohttp webhook receiver whose
endpoints answer from a script, and aiosmtpd servers with TLS (a certificate made in
the test by ``streams.identity.certificates``), each run on a thread of its own.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from streams.identity.certificates import ensure_tls
from tests.support.ports import free_port

SECRET = "whsec_" + base64.b64encode(b"the live tests' webhook secret..").decode()
SMTP_USER, SMTP_PASSWORD = "leadledger", "smtp-test-password"


@dataclass(frozen=True, slots=True)
class Request:
    endpoint: str
    webhook_id: str
    at: float
    answered: int
    verified: bool


# A script: given the endpoint and how many requests for this id it saw before, the
# status and headers to answer with.
Script = Callable[[str, str, int], tuple[int, dict[str, str]]]


@dataclass
class WebhookReceiver:
    script: Script
    port: int = field(default_factory=free_port)
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    kill_pid: int | None = None  # set to make a script's "kill" answer SIGKILL it

    def url(self, endpoint: str) -> str:
        return f"http://127.0.0.1:{self.port}/{endpoint}"

    def of(self, endpoint: str, webhook_id: str | None = None) -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.endpoint == endpoint and webhook_id in (None, r.webhook_id)
            ]

    def acknowledged(self) -> dict[tuple[str, str], int]:
        """(webhook id, endpoint) -> how many requests this receiver answered 2xx."""
        counts: dict[tuple[str, str], int] = {}
        with self.lock:
            for r in self.requests:
                if 200 <= r.answered < 300:
                    key = (r.webhook_id, r.endpoint)
                    counts[key] = counts.get(key, 0) + 1
        return counts

    async def _handle(self, request: web.Request) -> web.Response:
        endpoint = request.match_info["endpoint"]
        body = await request.read()
        webhook_id = request.headers.get("webhook-id", "")
        try:
            Webhook(SECRET).verify(body, dict(request.headers))
            verified = True
        except WebhookVerificationError:
            verified = False
        with self.lock:
            seen = sum(
                1 for r in self.requests if r.endpoint == endpoint and r.webhook_id == webhook_id
            )
            status, headers = self.script(endpoint, webhook_id, seen)
            kill = headers.pop("x-kill-deliverer", None)
            self.requests.append(Request(endpoint, webhook_id, time.time(), status, verified))
        if kill and self.kill_pid is not None:
            # Received and acknowledged here, never recorded there: the one place a
            # kill may cause a second copy of this id.
            os.kill(self.kill_pid, signal.SIGKILL)
        return web.Response(status=status, headers=headers)


@contextmanager
def running(receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/{endpoint}", receiver._handle)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", receiver.port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@dataclass
class Mailbox:
    """What an SMTP server accepted, and whether each came over TLS."""

    messages: list[tuple[Message, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        # STARTTLS sets session.ssl; an implicit-TLS connection shows on the transport.
        tls = session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((message_from_bytes(envelope.content), tls))
        return "250 OK"

    def with_id(self, message_id: str) -> list[tuple[Message, bool]]:
        return [(m, tls) for m, tls in self.messages if m["Message-ID"] == message_id]


def _password(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and auth.password.decode() == SMTP_PASSWORD
    return AuthResult(success=ok)


def server_tls(home: Path) -> tuple[ssl.SSLContext, Path]:
    """A TLS context for 127.0.0.1, and the CA file a client must trust for it."""
    files = ensure_tls(home, ["127.0.0.1", "localhost"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.broker_keystore)  # the key followed by its chain
    return context, files.ca_cert


@contextmanager
def smtp_server(home: Path, *, implicit: bool) -> Iterator[tuple[Mailbox, int, Path]]:
    """An SMTP server on a free port that requires TLS (STARTTLS, or implicit TLS) and
    a password: (its mailbox, its port, the CA file that signed its certificate)."""
    context, cafile = server_tls(home)
    mailbox, port = Mailbox(), free_port()
    # aiosmtpd offers AUTH only after its own STARTTLS: on an implicit-TLS connection it
    # must be told AUTH is fine there (the whole connection is TLS; the mailbox checks it).
    implicit_tls = {"ssl_context": context, "auth_require_tls": False}
    starttls = {"tls_context": context, "require_starttls": True}
    tls: dict[str, Any] = implicit_tls if implicit else starttls
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_password,
        auth_required=True,
        **tls,
    )
    controller.start()
    try:
        yield mailbox, port, cafile
    finally:
        controller.stop()
