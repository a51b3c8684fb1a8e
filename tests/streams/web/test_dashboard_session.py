"""The dashboard's session cookie and origin check, on stand-in requests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from streams.web.dashboard.session import COOKIE, same_origin, set_session


@dataclass
class Request:
    headers: dict[str, str] = field(default_factory=dict)
    host: str = "127.0.0.1:6066"
    secure: bool = False


def _cookie(request: Any) -> str:
    response = web.Response()
    set_session(response, request, "llt_secret")
    return response.cookies[COOKIE].OutputString()


def test_the_cookie_is_httponly_strict_and_secure_only_over_tls() -> None:
    plain = _cookie(Request())
    assert "HttpOnly" in plain
    assert "SameSite=Strict" in plain
    assert "Path=/" in plain
    assert "Secure" not in plain
    assert "Secure" in _cookie(Request(secure=True))
    assert "Secure" in _cookie(Request(headers={"X-Forwarded-Proto": "https"}))


def test_only_this_workers_own_pages_may_post() -> None:
    assert same_origin(Request(headers={"Origin": "http://127.0.0.1:6066"}))
    assert same_origin(Request(headers={"Origin": "https://127.0.0.1:6066"}))  # behind TLS
    assert not same_origin(Request(headers={"Origin": "http://evil.example"}))
    assert not same_origin(Request(headers={"Origin": "null"}))
    assert same_origin(Request(headers={"Referer": "http://127.0.0.1:6066/dashboard/login"}))
    assert same_origin(Request())  # no browser form: curl, a script
