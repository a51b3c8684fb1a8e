"""Who is looking at a dashboard: the API token, kept in a cookie, never in a URL.

The login form POSTs the token; the answer sets it in a cookie that is ``HttpOnly``
(no script reads it), ``SameSite=Strict`` (no other site's page makes the browser send
it: a forged cross-site request arrives without it, so it reads nothing and changes
nothing) and ``Secure`` when the page came over TLS. Login and logout are POST only and
refuse an ``Origin`` other than the worker's own (a cross-site form that would log a
victim in under the attacker's token). The token is checked on every request against
the token file, as a bearer token is, so a revoked token ends the session at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from projections.access import Decision, TokenEntry, authenticate, decide
from streams.web.access import Gate

COOKIE = "leadledger_dashboard"
MAX_AGE_SECONDS = 8 * 3600  # a working day; then log in again


@dataclass(frozen=True)
class Visitor:
    entry: TokenEntry | None  # None: no token, an unknown one, or LEADLEDGER_AUTH=off
    open_mode: bool = False  # LEADLEDGER_AUTH=off: every dashboard is open

    def may_read(self, partner_scope: str | None) -> Decision:
        if self.open_mode:
            return Decision(200)
        return decide(self.entry, partner_scope)

    @property
    def label(self) -> str:
        if self.open_mode:
            return "open (LEADLEDGER_AUTH=off)"
        if self.entry is None:
            return "nobody"
        return "operator" if self.entry.role == "operator" else f"partner {self.entry.partner_id}"


def visitor(gate: Gate, request: Any) -> Visitor:
    if not gate.enabled:
        return Visitor(None, open_mode=True)
    return Visitor(entry_for(gate, request.cookies.get(COOKIE)))


def entry_for(gate: Gate, token: str | None) -> TokenEntry | None:
    if not token:
        return None
    return authenticate(gate.tokens.current(), f"Bearer {token}")


def served_over_tls(request: Any) -> bool:
    # X-Forwarded-Proto from a TLS-terminating proxy can only add Secure, never remove it.
    return bool(request.secure) or request.headers.get("X-Forwarded-Proto", "") == "https"


def set_session(response: Any, request: Any, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=served_over_tls(request),
    )


def end_session(response: Any, request: Any) -> None:
    response.del_cookie(
        COOKIE, path="/", httponly=True, samesite="Strict", secure=served_over_tls(request)
    )


def same_origin(request: Any) -> bool:
    """A POST's ``Origin`` (or, without one, its ``Referer``) is this worker's own.

    Browsers send ``Origin`` on every cross-site POST; a request with neither header
    comes from no browser form (curl, a script), which a cookie cannot be stolen by.
    """
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed or claimed == "null":
        return claimed is None
    # The host only: behind a TLS-terminating proxy the scheme seen here is http.
    return bool(urlsplit(claimed).netloc == request.host)
