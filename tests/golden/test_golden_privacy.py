"""The privacy golden log, replayed offline, gives the answers written from the rules
(tests/golden/README.md tells the scenario): per lead (consents, holders, erasure,
retention), per partner (whose personal data it holds), per agreement (signatures,
NDA, reviews)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from projections.compliance.partner import partner_privacy
from projections.compliance.views import agreement_privacy, lead_privacy
from projections.lead.privacy.holders import holders
from projections.replay import ReplayResult, replay
from streams.cli.main import cli
from tests.golden.load import golden

CASE = golden("privacy")
AS_OF = datetime.fromisoformat(CASE.expected["as_of"].replace("Z", "+00:00"))
HOLDING_KEYS = ("partner_id", "agreement_id", "regimes", "retention_due")
CONSENT_KEYS = ("purpose", "partner_id", "regime", "given")
ERASURE_KEYS = ("request_id", "due_at", "confirmed_by", "outstanding")


@pytest.fixture(scope="module")
def result() -> ReplayResult:
    return replay(CASE.events, AS_OF, CASE.policy)


def test_the_refusals_and_their_reasons(result: ReplayResult) -> None:
    assert [reason for _, reason in result.rejections] == CASE.expected["rejection_reasons"]


@pytest.mark.parametrize("lead_id", sorted(CASE.expected["privacy"]))
def test_lead_compliance_view(result: ReplayResult, lead_id: str) -> None:
    expected = CASE.expected["privacy"][lead_id]
    body = lead_privacy(result.leads[lead_id], result.agreements)
    assert body["lead_id"] == expected["lead_id"]
    assert [{k: c[k] for k in CONSENT_KEYS} for c in body["consents"]] == expected["consents"]
    assert body["holders"] == expected["holders"]
    assert [{k: h[k] for k in HOLDING_KEYS} for h in body["holdings"]] == expected["holdings"]
    erasure = body["erasure"] and {k: body["erasure"][k] for k in ERASURE_KEYS}
    assert erasure == expected["erasure"]
    assert body["erased"] is expected["erased"]
    deadlines = {
        o["partner_id"]: o["due_at"] for o in body["obligations"] if o["kind"] == "erasure_request"
    }
    assert deadlines == expected["erasure_deadlines"]


@pytest.mark.parametrize("partner_id", sorted(CASE.expected["partners"]))
def test_partner_compliance_view(result: ReplayResult, partner_id: str) -> None:
    expected: dict[str, Any] = CASE.expected["partners"][partner_id]
    body = partner_privacy(result.privacy[partner_id])
    assert body["holds_leads"] == expected["holds_leads"]
    if "holdings" in expected:
        keys = expected["holdings"][0].keys()
        assert [{k: h[k] for k in keys} for h in body["holdings"]] == expected["holdings"]


def test_the_partner_side_agrees_with_the_lead_side(result: ReplayResult) -> None:
    """Two folds answer "who holds what" (the lead's state, the partner's activities):
    they must agree on every lead of the log."""
    by_lead = {(p, lead_id) for lead_id, s in result.leads.items() for p in holders(s)}
    by_partner = {
        (p, lead_id)
        for p, view in result.privacy.items()
        for lead_id in partner_privacy(view)["holds_leads"]
    }
    assert by_lead == by_partner
    assert by_lead  # the log leaves someone holding something


@pytest.mark.parametrize("agreement_id", sorted(CASE.expected["agreements"]))
def test_agreement_compliance_view(result: ReplayResult, agreement_id: str) -> None:
    expected = CASE.expected["agreements"][agreement_id]
    state = result.agreements.get(agreement_id)
    assert state is not None
    body = agreement_privacy(state, AS_OF)
    assert {
        "state": body["state"],
        "signed": sorted(s["partner_id"] for s in body["signatures"]),
        "nda": body["nda"],
        "review_due": body["review_due"],
        "reviews_overdue": body["reviews_overdue"],
    } == expected


def test_replay_cli_prints_the_privacy_contract() -> None:
    """``replay --privacy ID`` prints the lead's compliance body; an unknown lead exits 1
    and a second view option is a usage error (exit 2)."""
    as_of = CASE.expected["as_of"]
    runner = CliRunner()
    ok = runner.invoke(cli, ["replay", str(CASE.log), "--as-of", as_of, "--privacy", "P-1"])
    assert ok.exit_code == 0
    body = json.loads(ok.stdout)
    expected = CASE.expected["privacy"]["P-1"]
    assert (body["lead_id"], body["holders"], body["erased"]) == ("P-1", ["fabrikam"], True)
    assert {k: body["erasure"][k] for k in ERASURE_KEYS} == expected["erasure"]
    missing = runner.invoke(cli, ["replay", str(CASE.log), "--as-of", as_of, "--privacy", "Q"])
    assert (missing.exit_code, missing.stdout) == (1, "")
    assert "no lead 'Q'" in missing.stderr
    both = ["replay", str(CASE.log), "--as-of", as_of, "--privacy", "P-1", "--lead", "P-1"]
    assert runner.invoke(cli, both).exit_code == 2
