"""``/dashboard`` for operators, ``/partners/{id}/dashboard`` for a partner, and the
login and logout that set and clear the session cookie (``session``).

Registered before the partner views: aiohttp matches routes in the order they were
added, and ``/partners/{id}/{part}`` would otherwise answer for ``dashboard``.

The operator's page spans the partitions this worker owns, like ``GET /escalations``:
with several workers each shows its own share (one worker: everything). A partner's
page is table-routed to the worker holding its row, like ``GET /partners/{id}``, and is
built from that row alone.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import UTC, datetime
from typing import Any

from faust.web import View

from projections.dashboard.figures import operator_figures, partner_figures
from projections.lead.state import state_from_json
from projections.partner_view.fold import to_view
from projections.partner_view.state import view_from_json
from streams.runtime import Runtime
from streams.web.access import Gate
from streams.web.dashboard import render, session

log = logging.getLogger(__name__)
LOGIN = "/dashboard/login"


def _headers(nonce: str) -> dict[str, str]:
    """No framing, no caching, no referrer to other sites; only this page's own nonce'd
    script and style run, and it may fetch only from this worker. (``no-referrer`` would
    make Chromium send ``Origin: null`` on the login POST, which the origin check refuses.)"""
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
            "connect-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


def _html(web: Any, body_of: Any, status: int = 200) -> Any:
    nonce = secrets.token_urlsafe(16)
    return web.html(body_of(nonce), status=status, headers=_headers(nonce))


def _redirect(web: Any, location: str) -> Any:
    return web.html("", status=303, headers={"Location": location, "Cache-Control": "no-store"})


def _home_of(entry: Any) -> str:
    if entry is not None and entry.role == "partner":
        return f"/partners/{entry.partner_id}/dashboard"
    return "/dashboard"


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    app = rt.app

    def follow_up_target() -> float | None:
        rule = rt.policy.clock("MQL_NOT_ACCEPTED")
        return float(rule.amount) if rule.unit == "hours" else None

    def operator_body(now: datetime) -> dict[str, Any]:
        return operator_figures(
            (state_from_json(raw) for raw in rt.leads.values()),
            (json.loads(raw) for raw in rt.escalations.values()),
            (to_view(view_from_json(raw)) for raw in rt.partners.values()),
            now,
        )

    def refused(web: Any, who: session.Visitor, scope: str | None) -> Any | None:
        """A redirect to the login, a 403 page, or None when ``who`` may look."""
        decision = who.may_read(scope)
        if decision.allowed:
            return None
        if decision.status == 401:
            return _redirect(web, LOGIN)
        return _html(web, lambda n: render.refusal_page(n, 403, decision.reason), status=403)

    @app.page(LOGIN)
    class Login(View):
        async def get(self, request: Any) -> Any:
            return _html(self, render.login_page)

        async def post(self, request: Any) -> Any:
            if not session.same_origin(request):
                problem = "cross-site login refused"
                return _html(self, lambda n: render.login_page(n, problem), status=403)
            form = await request.post()
            token = str(form.get("token", "")).strip()
            entry = session.entry_for(gate, token)
            if entry is None:
                problem = "this token is unknown or was revoked"
                return _html(self, lambda n: render.login_page(n, problem), status=401)
            response = _redirect(self, _home_of(entry))
            session.set_session(response, request, token)
            log.info("dashboard login: token %s (%s)", entry.token_id, entry.role)
            return response

    @app.page("/dashboard/logout")
    class Logout(View):
        async def post(self, request: Any) -> Any:
            if not session.same_origin(request):
                return self.text("cross-site logout refused", status=403)
            response = _redirect(self, LOGIN)
            session.end_session(response, request)
            return response

    @app.page("/dashboard")  # type: ignore[untyped-decorator]
    async def operator_dashboard(web: Any, request: Any) -> Any:
        who = session.visitor(gate, request)
        if (answer := refused(web, who, None)) is not None:
            return answer
        now = datetime.now(UTC).replace(microsecond=0)
        figures = operator_body(now)
        panels = render.operator_panels(figures, follow_up_target())
        title = "leadledger SLA dashboard"
        return _html(web, lambda n: render.page(title, who.label, figures["as_of"], panels, n))

    @app.page("/dashboard/figures")  # type: ignore[untyped-decorator]
    @gate.operator
    async def operator_figures_json(web: Any, request: Any) -> Any:
        # The page's numbers as JSON, behind the usual bearer token (scripts, the test).
        return web.json(operator_body(datetime.now(UTC).replace(microsecond=0)))

    @app.page("/partners/{partner_id}/dashboard")  # type: ignore[untyped-decorator]
    async def partner_dashboard(web: Any, request: Any, partner_id: str) -> Any:
        # The cookie is checked here, before the routing to the row's worker (which
        # checks it again: the Cookie header is forwarded), so a refused request learns
        # nothing, not even whether the partner exists.
        who = session.visitor(gate, request)
        if (answer := refused(web, who, partner_id)) is not None:
            return answer
        return await routed_partner_dashboard(web, request, partner_id, who)

    @app.table_route(table=rt.partners, match_info="partner_id")  # type: ignore[untyped-decorator]
    async def routed_partner_dashboard(
        web: Any, request: Any, partner_id: str, who: session.Visitor
    ) -> Any:
        raw = rt.partners.get(partner_id)
        if raw is None:
            message = f"nothing shared with or by partner {partner_id} yet"
            return _html(web, lambda n: render.refusal_page(n, 404, message), status=404)
        body = to_view(view_from_json(raw))
        if body["partner_id"] != partner_id:  # as in the JSON view: never another's row
            raise ValueError(f"the row of {partner_id!r} holds {body['partner_id']!r}'s view")
        figures = partner_figures(body, datetime.now(UTC).replace(microsecond=0))
        panels = render.partner_panels(figures)
        title = f"leadledger: partner {partner_id}"
        return _html(web, lambda n: render.page(title, who.label, figures["as_of"], panels, n))
