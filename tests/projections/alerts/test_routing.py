"""Routing from the policy: the seed's defaults, and a partner only hears of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.alerts.routing import AlertsPolicy, Endpoint, endpoints_for
from projections.policy import PolicyError, load_policy
from tests.support.alerts import escalation, notification

POLICY = AlertsPolicy(
    endpoints={
        "marketing-hook": Endpoint(recipient="marketing", webhook="https://m.example/hook"),
        "sales-mail": Endpoint(recipient="sales-management", email="sales@example.com"),
        "acme-hook": Endpoint(recipient="acme", webhook="https://acme.example/hook"),
        "globex-hook": Endpoint(recipient="globex", webhook="https://globex.example/hook"),
        "ops-mail": Endpoint(recipient="marketing-ops", email="ops@example.com"),
    }
)
PARTNERS = frozenset({"acme", "globex", "initech"})


def test_an_mql_passed_to_sales_goes_to_marketing() -> None:
    assert endpoints_for(notification("n1"), POLICY, PARTNERS) == ["marketing-hook"]


def test_sal_not_converted_goes_to_sales_management() -> None:
    assert endpoints_for(escalation("e1"), POLICY, PARTNERS) == ["sales-mail"]


def test_partner_not_responded_goes_to_both_partners_and_no_other() -> None:
    alert = escalation("e2", "PARTNER_NOT_RESPONDED", ["acme", "globex"])
    assert endpoints_for(alert, POLICY, PARTNERS) == ["acme-hook", "globex-hook"]


def test_a_rule_without_a_route_goes_nowhere() -> None:
    assert (
        endpoints_for(escalation("e3", "MQL_NOT_ASSIGNED", ["marketing-ops"]), POLICY, PARTNERS)
        == []
    )


def test_a_partner_never_hears_of_an_alert_that_does_not_name_it() -> None:
    """Even a route that names the partner outright: the alert is someone else's data."""
    policy = POLICY.model_copy(
        update={"routes": {"SAL_NOT_CONVERTED": ["acme", "sales-management"]}}
    )
    assert endpoints_for(escalation("e4"), policy, PARTNERS) == ["sales-mail"]
    named = escalation("e5", notify=["acme", "sales-management"])
    assert endpoints_for(named, policy, PARTNERS) == ["acme-hook", "sales-mail"]


def test_routes_and_endpoints_come_from_the_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        "[alerts.routes]\nMQL_NOT_ASSIGNED = ['marketing-ops']\n"
        "[alerts.endpoints.ops-mail]\nrecipient = 'marketing-ops'\nemail = 'ops@example.com'\n"
    )
    alerts = load_policy(path).alerts
    alert = escalation("e6", "MQL_NOT_ASSIGNED", ["marketing-ops"])
    assert endpoints_for(alert, alerts, PARTNERS) == ["ops-mail"]
    assert endpoints_for(escalation("e7"), alerts, PARTNERS) == []  # routes replaced whole


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[alerts.endpoints.x]\nrecipient = 'm'\n", "alerts.endpoints.x"),
        (
            "[alerts.endpoints.x]\nrecipient = 'm'\nwebhook = 'https://a'\nemail = 'a@b'\n",
            "alerts.endpoints.x",
        ),
        (
            "[alerts.endpoints.x]\nrecipient = 'm'\nwebhook = 'ftp://a'\n",
            "alerts.endpoints.x.webhook",
        ),
        (
            "[alerts.endpoints.x]\nrecipient = 'm'\nemail = 'a@b'\nsecret = 's'\n",
            "alerts.endpoints.x.secret",
        ),
    ],
)
def test_a_bad_endpoint_or_a_secret_in_the_file_is_named(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=named):
        load_policy(path)
