"""What the SLA dashboards show, as plain JSON-ready data: one function per panel.

The operator's dashboard spans every lead, escalation and partner a worker holds
(:func:`operator_figures`); a partner's is built from its own partner view only
(:func:`partner_figures`), the row that by construction holds nothing of another
partner. Time is a parameter (``now``), so a test, a replay and the live worker agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from projections.dashboard.reasons import reason_kind
from projections.history import iso_z
from projections.lead.state import LeadState
from projections.replay import weekly_mql_follow_up

FUNNEL_ORDER = (
    "RAW",
    "INQUIRY",
    "MAQL",
    "BDM_CONNECTED",
    "MQL",
    "SAL",
    "SQL",
    "CONVERTED",
    "OPPORTUNITY",
    "REMARKET",
    "DISQUALIFIED",
    "JUNK",
)
BREACH_WINDOW = timedelta(days=7)
"""'This week' is the seven days up to now, not the ISO week: on a Monday morning the
ISO week would be almost empty, and a breach of Sunday night is still this week's news."""
NEAREST_SHOWN = 25
UNASSIGNED = "unassigned"


def owner_at(state: LeadState, at: datetime) -> str:
    """Who owned the lead at ``at``: the last owner change up to then (a breach of
    SAL_NOT_CONVERTED reassigns the lead, so today's owner may not be the one who missed)."""
    owner: str | None = None
    for change in state.history:
        if change.kind == "owner" and change.at <= at:
            owner = change.after
    return owner or UNASSIGNED


def open_clocks(leads: Iterable[LeadState], now: datetime) -> dict[str, Any]:
    """Every lead's running clocks: per rule, and the ones closest to a breach first.

    A clock already past due but not yet fired (the timer runs every few seconds) has a
    negative time to breach: it is the most urgent, and shown first.
    """
    rows: list[dict[str, Any]] = [
        {
            "lead_id": state.lead_id,
            "rule": clock.rule,
            "owner": state.owner or UNASSIGNED,
            "due_at": iso_z(clock.due_at),
            "seconds_to_breach": int((clock.due_at - now).total_seconds()),
        }
        for state in leads
        for clock in state.clocks
    ]
    rows.sort(key=lambda r: (r["seconds_to_breach"], r["lead_id"], r["rule"]))
    by_rule: dict[str, dict[str, Any]] = {}
    for row in rows:  # nearest first, so the first row of a rule is its next breach
        entry = by_rule.setdefault(
            row["rule"], {"rule": row["rule"], "open": 0, "next_breach_seconds": None}
        )
        entry["open"] += 1
        if entry["next_breach_seconds"] is None:
            entry["next_breach_seconds"] = row["seconds_to_breach"]
    return {
        "total": len(rows),
        "by_rule": [by_rule[rule] for rule in sorted(by_rule)],
        "nearest": rows[:NEAREST_SHOWN],
    }


def breaches_this_week(
    escalations: Iterable[Mapping[str, Any]], leads: Mapping[str, LeadState], now: datetime
) -> dict[str, Any]:
    """Escalations due in the last seven days, by rule and by who owned the lead then.

    ``escalations`` are the rows of ``GET /escalations``; an escalation about an
    agreement or a dispute has no owner (``-``).
    """
    since = now - BREACH_WINDOW
    counts: Counter[tuple[str, str]] = Counter()
    for row in escalations:
        due = datetime.fromisoformat(str(row["due_at"]).replace("Z", "+00:00"))
        if not since <= due <= now:
            continue
        lead = leads.get(str(row["subject"]))
        owner = owner_at(lead, due) if lead is not None else "-"
        counts[(str(row["rule"]), owner)] += 1
    by_rule: Counter[str] = Counter()
    for (rule, _owner), count in counts.items():
        by_rule[rule] += count
    return {
        "since": iso_z(since),
        "total": sum(counts.values()),
        "by_rule": dict(sorted(by_rule.items())),
        "by_rule_owner": [
            {"rule": rule, "owner": owner, "count": count}
            for (rule, owner), count in sorted(counts.items())
        ],
    }


def funnel(leads: Iterable[LeadState]) -> list[dict[str, Any]]:
    """Leads by status, in the funnel's order (a status the order does not know last)."""
    counts = Counter(state.status for state in leads)
    known = [s for s in FUNNEL_ORDER if s in counts]
    rest = sorted(set(counts) - set(FUNNEL_ORDER))
    return [{"status": s, "count": counts[s]} for s in (*known, *rest)]


def partner_kpis(bodies: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each partner's KPIs per agreement (as receiver) beside the agreement's targets."""
    rows = []
    for body in bodies:
        for agreement_id, numbers in sorted(body["kpis"]["by_agreement"].items()):
            rows.append({"partner_id": body["partner_id"], "agreement_id": agreement_id, **numbers})
    return sorted(rows, key=lambda r: (r["partner_id"], r["agreement_id"]))


def rejections(bodies: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Refused shares by the kind of their reasons (a share refused for two reasons
    counts under both), and shares the receiver declined."""
    counts: Counter[str] = Counter()
    for body in bodies:
        for refusal in body["rejected_shares"]:
            for kind in {reason_kind(reason) for reason in refusal["reasons"]}:
                counts[f"share refused: {kind}"] += 1
        declined = sum(1 for link in body["received_detail"] if link["accepted"] is False)
        if declined:
            counts["declined by the receiver"] += declined
    return [
        {"reason": reason, "count": count}
        for reason, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def operator_figures(
    leads: Iterable[LeadState],
    escalations: Iterable[Mapping[str, Any]],
    partner_bodies: Iterable[Mapping[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    states = {state.lead_id: state for state in leads}
    bodies = list(partner_bodies)
    return {
        "scope": "operator",
        "as_of": iso_z(now),
        "open_clocks": open_clocks(states.values(), now),
        "breaches": breaches_this_week(escalations, states, now),
        "follow_up": weekly_mql_follow_up(states.values()),
        "funnel": funnel(states.values()),
        "partner_kpis": partner_kpis(bodies),
        "rejections": rejections(bodies),
    }


def partner_figures(body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A partner's own dashboard, from its own view's body and nothing else."""
    pending = sorted(
        (
            {
                "lead_id": p["lead_id"],
                "agreement_id": p["agreement_id"],
                "respond_by": p["respond_by"],
                "seconds_to_breach": _seconds_until(p["respond_by"], now),
                "overdue": p["overdue"],
            }
            for p in body["pending_responses"]
        ),
        key=lambda r: (r["seconds_to_breach"] is None, r["seconds_to_breach"] or 0, r["lead_id"]),
    )
    weeks = body["kpis"]["by_week"]
    return {
        "scope": "partner",
        "partner_id": body["partner_id"],
        "as_of": iso_z(now),
        "received": len(body["received"]),
        "shared": len(body["shared"]),
        "pending_responses": pending,
        "overdue_responses": sum(1 for p in pending if p["overdue"]),
        "follow_up": [
            {
                "week": week,
                "median_hours": numbers["median_follow_up_hours"],
                "count": numbers["answered"],
            }
            for week, numbers in sorted(weeks.items())
        ],
        "partner_kpis": partner_kpis([body]),
        "rejections": rejections([body]),
    }


def _seconds_until(at: str | None, now: datetime) -> int | None:
    if at is None:
        return None
    return int((datetime.fromisoformat(at.replace("Z", "+00:00")) - now).total_seconds())
