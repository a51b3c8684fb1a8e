"""HTTP views on the worker's web server (Faust/aiohttp).

Lead views are table-routed: a request reaching a worker that does not own the lead's
partition is forwarded to the worker that does.
"""

from __future__ import annotations

from typing import Any

from projections.lead import state_from_json, to_view
from streams import clock_agent
from streams.runtime import Runtime


def register(rt: Runtime) -> None:
    app = rt.app

    @app.page("/leads/{lead_id}")  # type: ignore[untyped-decorator]
    @app.table_route(table=rt.leads, match_info="lead_id")  # type: ignore[untyped-decorator]
    async def get_lead(web: Any, request: Any, lead_id: str) -> Any:
        raw = rt.leads.get(lead_id)
        if raw is None:
            return web.json({"error": f"unknown lead {lead_id!r}"}, status=404)
        return web.json(to_view(state_from_json(raw)))

    @app.page("/stats")  # type: ignore[untyped-decorator]
    async def get_stats(web: Any, request: Any) -> Any:
        return web.json(
            {
                "namespace": rt.settings.namespace,
                "policy_version": rt.policy.version,
                "counters": rt.counters.as_dict(),
                "assigned_partitions": sorted(clock_agent.owned_partitions(rt)),
                "open_deadline_buckets": len(rt.schedule),
            }
        )
