"""The policy: the numbers of design/POLICY.md, overridable from one TOML file.

Validated with pydantic when the worker or the CLI starts; a bad key or value is a
:class:`PolicyError` naming it. Every default comes from the seed documents, except
the activity points (the seed's scoring appendix is not given) and the MAQL threshold
(the seed says "NNN"), chosen and documented here.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from projections.alerts.routing import AlertsPolicy

LeadRule = Literal["MAQL_NOT_ACTIONED", "MQL_NOT_ASSIGNED", "MQL_NOT_ACCEPTED", "SAL_NOT_CONVERTED"]

# Points rank intent: a demo or quote request is close to buying, a click barely says
# anything. A lead reaches the MQL threshold (76) with, e.g., a webinar, a demo request
# and a content download plus some visits.
DEFAULT_ACTIVITY_POINTS = {
    "email_open": 1,
    "email_click": 3,
    "web_visit": 2,
    "content_download": 8,
    "webinar": 15,
    "demo_request": 30,
    "contact_us": 25,
    "request_quote": 40,
}


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClockPolicy(Strict):
    amount: int = Field(gt=0)
    unit: Literal["hours", "business_days"]
    notify: list[str] = Field(min_length=1)


def _default_clocks() -> dict[LeadRule, ClockPolicy]:
    return {
        # "After 72 hours the lead qual rep is expected to change the status".
        "MAQL_NOT_ACTIONED": ClockPolicy(amount=72, unit="hours", notify=["lead-qual-manager"]),
        # "All MQLs will be assigned to a Sales Representative within an hour".
        "MQL_NOT_ASSIGNED": ClockPolicy(amount=1, unit="hours", notify=["marketing-ops"]),
        # "the Sales rep will have 48 hours" (the seed also says "2 business days").
        "MQL_NOT_ACCEPTED": ClockPolicy(amount=48, unit="hours", notify=["sales-management"]),
        # "60 business days to convert ... alert ... and the lead will be reassigned".
        "SAL_NOT_CONVERTED": ClockPolicy(
            amount=60, unit="business_days", notify=["sales-management"]
        ),
    }


class LeadQualTeam(Strict):
    enabled: bool = False
    maql_threshold: int = Field(default=50, ge=1)


class CalendarPolicy(Strict):
    timezone: str = "UTC"
    country: str | None = None
    subdivision: str | None = None
    holidays: list[date] = Field(default_factory=list)


class PrivacyPolicy(Strict):
    """Erasure deadlines the law does not fix, and who hears of a late one.

    GDPR (30 days) and CCPA (45 days) fix the deadline of an erasure request; HIPAA has
    no right to erasure, so its figure is OUR choice: 60 days, the longest deadline
    HIPAA gives a covered entity to act on an individual's request (amendment,
    45 CFR 164.526). An agreement's ``erasure_within_days`` shortens it, never extends it.
    """

    hipaa_erasure_days: int = Field(default=60, ge=1)
    # ERASURE_OVERDUE and RETENTION_EXPIRED alert the partners involved and these owners.
    notify: list[str] = Field(default_factory=lambda: ["data-protection-owner"])


class Policy(Strict):
    version: str = Field(default="2026-11-default", min_length=1)
    mql_threshold: int = Field(default=76, ge=1)
    remarket_deduction: int = Field(default=50, ge=0)
    reactivating_activities: list[str] = Field(
        default_factory=lambda: ["contact_us", "request_quote"]
    )
    activity_points: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_ACTIVITY_POINTS))
    unknown_activity_points: int = 1
    lead_qual_team: LeadQualTeam = Field(default_factory=LeadQualTeam)
    clocks: dict[LeadRule, ClockPolicy] = Field(default_factory=_default_clocks)
    calendar: CalendarPolicy = Field(default_factory=CalendarPolicy)
    sales_roster: list[str] = Field(default_factory=list)
    privacy: PrivacyPolicy = Field(default_factory=PrivacyPolicy)
    # Who hears of which alert, by webhook or email (`leadledger deliver`, docs/alerts.md).
    alerts: AlertsPolicy = Field(default_factory=AlertsPolicy)

    def clock(self, rule: LeadRule) -> ClockPolicy:
        return self.clocks.get(rule) or _default_clocks()[rule]


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the bad key."""


def load_policy(path: Path | None) -> Policy:
    if path is None:
        return Policy()
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(map(str, first["loc"]))
        raise PolicyError(f"{path}: {key}: {first['msg']}") from exc
