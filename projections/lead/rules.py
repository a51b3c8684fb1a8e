"""Which status changes are allowed, from design/POLICY.md and the seed's funnel.

``DECISIONS`` are people's decisions (``LeadStatusChanged``); the automatic changes
(first response, score thresholds, reactivation, conversion) are made by the fold.
Junk is accepted wherever Disqualified is: the seed treats them together ("changed to
Disqualified or Junk ... by a Sales Team member or by Marketing").
"""

from __future__ import annotations

DISQUALIFYING = frozenset({"DISQUALIFIED", "JUNK"})
SALES_DECISIONS = frozenset({"SAL", "DISQUALIFIED", "JUNK", "REMARKET"})

DECISIONS: dict[str, frozenset[str]] = {
    # Marketing passes a lead to the lead-qualification team (only when one exists).
    "INQUIRY": frozenset({"MAQL"}),
    "MAQL": frozenset({"BDM_CONNECTED", "MQL", "DISQUALIFIED", "JUNK", "REMARKET"}),
    "BDM_CONNECTED": frozenset({"MQL", "DISQUALIFIED", "JUNK", "REMARKET"}),
    "MQL": SALES_DECISIONS,
    "SAL": frozenset({"SQL", "DISQUALIFIED", "JUNK", "REMARKET"}),
}

ALL_STATUSES = frozenset(
    {
        "RAW",
        "INQUIRY",
        "MAQL",
        "BDM_CONNECTED",
        "MQL",
        "SAL",
        "SQL",
        "CONVERTED",
        "OPPORTUNITY",
        "DISQUALIFIED",
        "JUNK",
        "REMARKET",
    }
)


def decision_problem(current: str, to: str, lead_qual_team: bool) -> str | None:
    """Why a person may not move a lead from ``current`` to ``to``; None when allowed."""
    if to == "MAQL" and not lead_qual_team:
        return "MAQL needs a lead-qualification team, and the policy has none"
    if to not in DECISIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(DECISIONS.get(current, frozenset()))) or "none"
        return f"illegal transition {current} -> {to} (allowed from {current}: {allowed})"
    return None
