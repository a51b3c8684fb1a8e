"""Who may read which view: API tokens, the principals they stand for, and the rule.

Two roles. An **operator** runs the system and reads every view. A **partner** reads
only views scoped to its own partner id (``/partners/{its id}`` and the parts under
it, and ``/privacy/partners/{its id}``); any other partner's view is 403, and the
operator views (leads, agreements, disputes, escalations, reports, stats) are 403 to
it too. No token, an unknown or a
revoked one is 401. Authorisation is decided before a view is looked up, so a partner
cannot learn whether another partner's view exists.

Tokens are 256-bit random strings (``secrets.token_urlsafe``); only their SHA-256 is
stored. For a secret of that entropy a fast hash is enough: there is no dictionary
to try, and a slow KDF (scrypt, pbkdf2) would only make every request slower.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Role = Literal["operator", "partner"]
BEARER = "bearer "


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """One issued token as stored: never the token itself, only its hash."""

    token_id: str  # public handle, for listing and revoking
    role: Role
    partner_id: str | None  # set exactly when role is "partner"
    sha256: str
    issued_at: str
    label: str = ""

    def __post_init__(self) -> None:
        if (self.role == "partner") != bool(self.partner_id):
            raise ValueError("a partner token names its partner; an operator token none")


@dataclass(frozen=True, slots=True)
class Decision:
    status: int  # 200 allowed, 401 who are you, 403 not yours
    reason: str = ""

    @property
    def allowed(self) -> bool:
        return self.status == 200


def token_digest(token: str) -> str:
    # surrogatepass: aiohttp decodes header bytes that are not UTF-8 into lone
    # surrogates; they hash like any other unknown token (a 401), never a 500.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def presented_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if one was presented."""
    if not authorization or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


def authenticate(
    by_digest: Mapping[str, TokenEntry], authorization: str | None
) -> TokenEntry | None:
    """The entry of an ``Authorization: Bearer <token>`` header, if the token is known."""
    token = presented_token(authorization)
    return by_digest.get(token_digest(token)) if token else None


def decide(
    who: TokenEntry | None, partner_scope: str | None, *, token_presented: bool = False
) -> Decision:
    """May ``who`` read a view of ``partner_scope`` (None: an operator view)?

    ``token_presented`` tells a missing token from one this system does not know (never
    issued, or revoked), so a caller whose token was revoked is told so.
    """
    if who is None and token_presented:
        return Decision(401, "this bearer token is unknown or was revoked")
    if who is None:
        return Decision(401, "a bearer token is required (Authorization: Bearer <token>)")
    if who.role == "operator":
        return Decision(200)
    if partner_scope is None:
        return Decision(403, "an operator view; a partner token reads only its own views")
    if who.partner_id != partner_scope:
        # No quotes: repr()'s quote before the possessive read as a doubled quote.
        return Decision(403, f"this token is partner {who.partner_id}'s, not {partner_scope}'s")
    return Decision(200)


def decide_publish(who: TokenEntry | None, *, token_presented: bool = False) -> Decision:
    """May ``who`` publish events through the HTTP door? Only a partner, as itself."""
    if who is None:
        return decide(None, None, token_presented=token_presented)
    if who.role != "partner":
        return Decision(403, "an operator token reads views; only a partner's token publishes")
    return Decision(200)
