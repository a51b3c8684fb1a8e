"""HTTP compliance views (issue 5, item 4), table-routed like the other views.

``/privacy/leads/{id}``: consents, holders (agreement, regime), erasure, retention, the
body ``replay --privacy`` prints; ``/privacy/partners/{id}``: whose personal data the
partner holds; ``/privacy/agreements/{id}``: signatures, NDA, review due. The bodies
are the pure functions of ``projections.compliance.views`` and ``compliance_partner``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projections.agreement.codec import agreement_from_json
from projections.compliance.partner import partner_privacy, privacy_from_json
from projections.compliance.views import agreement_privacy, lead_privacy
from projections.lead.state import state_from_json
from streams.runtime import Runtime
from streams.web.access import Gate


def register(rt: Runtime) -> None:
    # A partner reads only its own holdings; the per-lead and per-agreement views name
    # several partners, so they are the operator's (projections/access.py).
    gate: Gate = rt.gate
    app, operator, own_partner = rt.app, gate.operator, gate.partner("partner_id")

    def unknown(web: Any, what: str, name: str) -> Any:
        return web.json({"error": f"unknown {what} {name!r}"}, status=404)

    @app.page("/privacy/leads/{lead_id}")  # type: ignore[untyped-decorator]
    @operator
    @app.table_route(table=rt.leads, match_info="lead_id")  # type: ignore[untyped-decorator]
    async def get_lead_privacy(web: Any, request: Any, lead_id: str) -> Any:
        raw = rt.leads.get(lead_id)
        if raw is None:
            return unknown(web, "lead", lead_id)
        return web.json(lead_privacy(state_from_json(raw), rt.book))

    @app.page("/privacy/partners/{partner_id}")  # type: ignore[untyped-decorator]
    @own_partner
    @app.table_route(table=rt.privacy, match_info="partner_id")  # type: ignore[untyped-decorator]
    async def get_partner_privacy(web: Any, request: Any, partner_id: str) -> Any:
        raw = rt.privacy.get(partner_id)
        if raw is None:
            return unknown(web, "partner", partner_id)
        return web.json(partner_privacy(privacy_from_json(raw)))

    @app.page("/privacy/agreements/{agreement_id}")  # type: ignore[untyped-decorator]
    @operator
    @app.table_route(table=rt.agreements, match_info="agreement_id")  # type: ignore[untyped-decorator]
    async def get_agreement_privacy(web: Any, request: Any, agreement_id: str) -> Any:
        raw = rt.agreements.get(agreement_id)
        if raw is None:
            return unknown(web, "agreement", agreement_id)
        return web.json(agreement_privacy(agreement_from_json(raw), datetime.now(UTC)))
