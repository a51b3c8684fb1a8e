"""HTTP views of agreements and disputes, table-routed like the lead view.

A request reaching a worker that does not own the id's partition is forwarded to the
one that does. The bodies are the pure ``to_view`` and ``dispute_view`` that replay
uses too, so the live worker and an auditor answer alike. An agreement names two
partners, so its view is an operator view (``streams/web/access.py``); a partner sees its
agreements' states in its own view.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projections.agreement.codec import agreement_from_json, to_view
from projections.dispute.state import dispute_from_json, dispute_view
from streams.runtime import Runtime
from streams.web.access import Gate


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    app, operator = rt.app, gate.operator

    @app.page("/agreements/{agreement_id}")  # type: ignore[untyped-decorator]
    @operator
    @app.table_route(table=rt.agreements, match_info="agreement_id")  # type: ignore[untyped-decorator]
    async def get_agreement(web: Any, request: Any, agreement_id: str) -> Any:
        raw = rt.agreements.get(agreement_id)
        if raw is None:
            return web.json({"error": f"unknown agreement {agreement_id!r}"}, status=404)
        return web.json(to_view(agreement_from_json(raw), datetime.now(UTC)))

    @app.page("/disputes/{dispute_id}")  # type: ignore[untyped-decorator]
    @operator
    @app.table_route(table=rt.disputes, match_info="dispute_id")  # type: ignore[untyped-decorator]
    async def get_dispute(web: Any, request: Any, dispute_id: str) -> Any:
        raw = rt.disputes.get(dispute_id)
        if raw is None:
            return web.json({"error": f"unknown dispute {dispute_id!r}"}, status=404)
        return web.json(dispute_view(dispute_from_json(raw)))
