"""HTTP views on the worker's web server (Faust/aiohttp).

Lead views are table-routed: a request reaching a worker that does not own the lead's
partition is forwarded to the worker that does. Every view here spans partners, so
each needs an operator token (``streams/web/access.py``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from projections.history import iso_z
from projections.lead.fold import state_from_json, to_view
from projections.replay import weekly_mql_follow_up
from schemas.times import range_problem
from streams.agents import clock as clock_agent
from streams.personal_data.worker import person_in_view
from streams.runtime import Runtime
from streams.web.access import Gate


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    app, operator = rt.app, gate.operator

    @app.page("/leads/{lead_id}")  # type: ignore[untyped-decorator]
    @operator
    @app.table_route(table=rt.leads, match_info="lead_id")  # type: ignore[untyped-decorator]
    async def get_lead(web: Any, request: Any, lead_id: str) -> Any:
        raw = rt.leads.get(lead_id)
        if raw is None:
            return web.json({"error": f"unknown lead {lead_id!r}"}, status=404)
        # The person is decrypted here, at read time, with the lead's key: after an
        # erasure the key is gone and the view shows {"erased": true}.
        state = state_from_json(raw)
        person = person_in_view(rt, lead_id, erased=state.erasure is not None)
        return web.json(to_view(state) | {"person": person})

    @app.page("/escalations")  # type: ignore[untyped-decorator]
    @operator
    async def get_escalations(web: Any, request: Any) -> Any:
        # Each worker lists the escalations of the partitions it owns; with several
        # workers, ask each (or subscribe to the escalations topic).
        try:
            since = normalise_since(request.query.get("since"))
        except ValueError as exc:
            return web.json(
                {"error": f"since must be an ISO-8601 time in range: {exc}"}, status=400
            )
        rows = [json.loads(raw) for raw in rt.escalations.values()]
        rows = sorted(
            (r for r in rows if r["due_at"] >= since), key=lambda r: (r["due_at"], r["subject"])
        )
        return web.json(rows)

    @app.page("/reports/mql-follow-up")  # type: ignore[untyped-decorator]
    @operator
    async def get_follow_up(web: Any, request: Any) -> Any:
        return web.json(weekly_mql_follow_up(state_from_json(raw) for raw in rt.leads.values()))

    @app.page("/stats")  # type: ignore[untyped-decorator]
    @operator
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


def normalise_since(since: str | None) -> str:
    """``since`` in the rows' own form (UTC, ``Z``), so strings compare as times.

    Raises ValueError for anything else, so the view answers 400: a time whose UTC form
    falls outside years 1-9999 (``9999-12-31T23:59:59-23:59``) overflows in
    ``astimezone`` and once answered 500; and a time outside the contract's range
    (``schemas/times.py``), the range every other time parameter is held to.
    """
    if not since:
        return ""
    moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("since needs an offset")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("since is outside years 1-9999 once taken to UTC") from None
    if (problem := range_problem(moment)) is not None:
        raise ValueError(problem)
    return iso_z(moment)
