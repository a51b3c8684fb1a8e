"""HTTP views of the per-partner sharing view: ``GET /partners/{id}`` and its parts.

Table-routed like the lead views: a request reaching a worker that does not own the
partner's partition is forwarded to the one that does. The body is
``projections.partner_view.fold.to_view``, the same function ``replay --partner`` prints.
A partner's row holds only its own activities, so one partner's answer never shows
another partner's data; and only that partner's token (or an operator's) may ask for
it (``streams/web/access.py``): another partner's token gets 403 before any lookup.
"""

from __future__ import annotations

from typing import Any

from projections.partner_view.fold import SECTIONS, section, to_view
from projections.partner_view.state import view_from_json
from streams.runtime import Runtime
from streams.web.access import Gate


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    app, own_partner = rt.app, gate.partner("partner_id")

    def body_of(partner_id: str) -> dict[str, Any] | None:
        raw = rt.partners.get(partner_id)
        if raw is None:
            return None
        body = to_view(view_from_json(raw))
        # The fold keeps a row to its own partner's activities; a row that says
        # otherwise is never served under this id.
        if body["partner_id"] != partner_id:
            raise ValueError(f"the row of {partner_id!r} holds {body['partner_id']!r}'s view")
        return body

    @app.page("/partners/{partner_id}")  # type: ignore[untyped-decorator]
    @own_partner
    @app.table_route(table=rt.partners, match_info="partner_id")  # type: ignore[untyped-decorator]
    async def get_partner(web: Any, request: Any, partner_id: str) -> Any:
        body = body_of(partner_id)
        if body is None:
            return web.json({"error": f"unknown partner {partner_id!r}"}, status=404)
        return web.json(body)

    @app.page("/partners/{partner_id}/{part}")  # type: ignore[untyped-decorator]
    @own_partner
    @app.table_route(table=rt.partners, match_info="partner_id")  # type: ignore[untyped-decorator]
    async def get_partner_part(web: Any, request: Any, partner_id: str, part: str) -> Any:
        if part not in SECTIONS:
            known = ", ".join(sorted(SECTIONS))
            return web.json({"error": f"unknown part {part!r}; one of {known}"}, status=404)
        body = body_of(partner_id)
        if body is None:
            return web.json({"error": f"unknown partner {partner_id!r}"}, status=404)
        return web.json(section(body, part))
