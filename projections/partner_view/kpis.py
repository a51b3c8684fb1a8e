"""Partner KPIs (design rule 8) from the shares a partner received.

Conversion rate (converted / accepted), acceptance rate (accepted / answered), median
follow-up time (share to answer, hours) and response-SLA compliance (answered within
the agreement's ``accept_within_hours`` / answered): overall, per agreement against
its KPI terms, and per ISO week of the share. A receiver's own pipeline counts
(issue 17): its conversions, its deals won and lost, and the median time from its
acceptance to its conversion (``median_hours_to_convert``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from statistics import median
from typing import Any

from projections.partner_view.state import Link


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(links: list[Link]) -> dict[str, Any]:
    answered = [s for s in links if s.responded_at is not None]
    accepted = [s for s in answered if s.accepted]
    hours = [s.response_hours for s in answered if s.response_hours is not None]
    to_convert = [s.hours_to_convert for s in accepted if s.hours_to_convert is not None]
    return {
        "shares_received": len(links),
        "answered": len(answered),
        "accepted": len(accepted),
        "converted": sum(1 for s in accepted if s.converted),
        "won_amount": round(sum(s.won_amount or 0.0 for s in links), 2),
        "won": sum(1 for s in links if s.outcome == "won"),
        "lost": sum(1 for s in links if s.outcome == "lost"),
        "acceptance_rate": _rate(len(accepted), len(answered)),
        "conversion_rate": _rate(sum(1 for s in accepted if s.converted), len(accepted)),
        "median_follow_up_hours": round(median(hours), 2) if hours else None,
        "response_sla_compliance": _rate(sum(1 for s in answered if s.within_sla), len(answered)),
        "median_hours_to_convert": round(median(to_convert), 2) if to_convert else None,
    }


def _week(at: str) -> str:
    year, week, _ = datetime.fromisoformat(at.replace("Z", "+00:00")).isocalendar()
    return f"{year}-W{week:02d}"


def _against(numbers: dict[str, Any], targets: dict[str, str]) -> dict[str, bool | None]:
    checks: dict[str, bool | None] = {}
    if "min_conversion_rate" in targets:
        rate = numbers["conversion_rate"]
        checks["conversion_rate"] = (
            None if rate is None else rate >= float(targets["min_conversion_rate"])
        )
    if "max_follow_up_hours" in targets:
        hours = numbers["median_follow_up_hours"]
        checks["follow_up"] = (
            None if hours is None else hours <= float(targets["max_follow_up_hours"])
        )
    return checks


def kpis(links: Iterable[Link], targets: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    links = list(links)
    terms: dict[str, dict[str, str]] = {}
    for agreement_id, key, value in targets:
        terms.setdefault(agreement_id, {})[key] = value
    by_agreement = {}
    for agreement_id in sorted({s.agreement_id for s in links}):
        numbers = figures([s for s in links if s.agreement_id == agreement_id])
        wanted = terms.get(agreement_id, {})
        by_agreement[agreement_id] = {
            **numbers,
            # numbers, as in the agreement's terms (the activity carries them as text)
            "targets": {key: float(value) for key, value in wanted.items()},
            "meets": _against(numbers, wanted),
        }
    weeks = sorted({_week(s.shared_at) for s in links})
    return {
        "overall": figures(links),
        "by_agreement": by_agreement,
        "by_week": {w: figures([s for s in links if _week(s.shared_at) == w]) for w in weeks},
    }
