"""Routing: which endpoints hear of which alert, from the policy's ``[alerts]`` section.

A route names, for a rule (``SAL_NOT_CONVERTED``) or a notification kind
(``mql_to_sales``), the recipients that hear of it: role names (``marketing``,
``sales-management``) or ``notified``, the names the alert's own ``notify`` lists (for
``PARTNER_NOT_RESPONDED`` the two partners). An endpoint is one webhook URL or one email
address, belonging to one recipient.

A partner hears only of its own data: an endpoint whose recipient is a registered partner
gets an alert only when that alert's ``notify`` names the partner, whatever the routes
say (the same rule as the partner feeds, ``streams/admission/feeds.py``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.system_events import EscalationRaised, NotificationRaised

Alert = EscalationRaised | NotificationRaised
NOTIFIED = "notified"
"""The recipient token that stands for every name in the alert's ``notify``."""
ENDPOINT_NAME = r"^[a-z0-9][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Endpoint(_Strict):
    """One place an alert is delivered to. Its secret is never here: a webhook's comes
    from ``LEADLEDGER_WEBHOOK_SECRET_<NAME>`` or the 0600 secrets file (docs/alerts.md)."""

    recipient: str = Field(min_length=1)
    webhook: str | None = Field(default=None, pattern=r"^https?://")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")

    @model_validator(mode="after")
    def _one_kind(self) -> Endpoint:
        if (self.webhook is None) == (self.email is None):
            raise ValueError("an endpoint has exactly one of webhook or email")
        return self

    @property
    def kind(self) -> Literal["webhook", "email"]:
        return "webhook" if self.webhook is not None else "email"


def _default_routes() -> dict[str, list[str]]:
    return {
        # "Marketing will be notified via an email alert when an MQL is sent to sales."
        "mql_to_sales": ["marketing"],
        # "an escalation alert with be sent to Sales Management to follow-up."
        "MQL_NOT_ACCEPTED": ["sales-management"],
        # "If the lead has not been converted within 60 days an alert will be sent to
        # Sales Management".
        "SAL_NOT_CONVERTED": ["sales-management"],
        # design/POLICY.md: "alert both partners' owners".
        "PARTNER_NOT_RESPONDED": [NOTIFIED],
    }


class AlertsPolicy(_Strict):
    """``[alerts]``: routes by rule or kind, and the named endpoints."""

    routes: dict[str, list[str]] = Field(default_factory=_default_routes)
    endpoints: dict[str, Endpoint] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names(self) -> AlertsPolicy:
        for name in self.endpoints:
            if not re.match(ENDPOINT_NAME, name):
                raise ValueError(f"endpoint name {name!r} is not of the form {ENDPOINT_NAME}")
        return self


def alert_id(alert: Alert) -> str:
    """The id a receiver dedupes on: the escalation's or the notification's own id."""
    if isinstance(alert, EscalationRaised):
        return alert.data.escalation_id
    return alert.data.notification_id


def route_name(alert: Alert) -> str:
    """What the routes are keyed by: an escalation's rule, a notification's kind."""
    if isinstance(alert, EscalationRaised):
        return alert.data.rule
    return alert.data.kind


def recipients(alert: Alert, policy: AlertsPolicy) -> set[str]:
    named = policy.routes.get(route_name(alert), [])
    out = {name for name in named if name != NOTIFIED}
    if NOTIFIED in named:
        out |= set(alert.data.notify)
    return out


def endpoints_for(alert: Alert, policy: AlertsPolicy, partners: frozenset[str]) -> list[str]:
    """The names of the endpoints ``alert`` goes to, sorted; ``partners`` are the
    registered partner ids, each of which hears only of alerts that name it."""
    wanted = recipients(alert, policy)
    notified = set(alert.data.notify)
    chosen = []
    for name, endpoint in policy.endpoints.items():
        if endpoint.recipient not in wanted:
            continue
        if endpoint.recipient in partners and endpoint.recipient not in notified:
            continue  # another partner's data: never, whatever the routes say
        chosen.append(name)
    return sorted(chosen)
