"""Replay across aggregates: clocks of every aggregate fire in due order before a later
event, commands apply right after the event that emitted them, and the CLI's
``--partner`` / ``--agreement`` answers follow the replay contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.partner_view.fold import to_view
from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from schemas.jsonl import write_log
from streams.cli.main import cli
from tests.support.agreements import Agreement, at, terms
from tests.support.partners import SharedLead

AS_OF = "2026-03-10T00:00:00Z"


def partnership() -> list[Envelope]:
    deal, one, two = Agreement("AG1"), SharedLead("L1"), SharedLead("L2")
    return [
        deal.proposed(at(0)),
        *deal.signed_by_all(at(1)),
        one.captured(at(2)),
        one.consent(at(2)),
        one.shared(at(3)),
        one.responded(at(3, hours=5)),
        deal.terminated(at(10)),  # notice 30 days: effective at(40)
        two.captured(at(50)),
        two.consent(at(50)),
        two.shared(at(50)),  # the agreement ended at(40)
    ]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "partners.jsonl"
    with path.open("w") as handle:
        write_log(partnership(), handle)
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_termination_releases_the_lead_before_the_next_event() -> None:
    result = replay(partnership(), at(60), Policy())
    (share,) = result.leads["L1"].shares
    assert share.status == "returned"
    assert result.agreements.get("AG1") is not None
    (refusal,) = [r for r in result.rejections if "L2" in r[0]]
    assert "agreement AG1 is TERMINATED" in refusal[1]


def test_as_of_before_the_termination_leaves_the_lead_with_the_receiver() -> None:
    result = replay(partnership(), at(39), Policy())
    assert result.leads["L1"].shares[0].status == "accepted"


def test_replay_partner_view(log: Path) -> None:
    code, out, _ = run("replay", str(log), "--as-of", AS_OF, "--partner", "gen")
    assert code == 0
    gen = json.loads(out)
    assert (gen["partner_id"], gen["received"], gen["shared"]) == ("gen", [], ["L1"])
    (refused,) = gen["rejected_shares"]
    assert (refused["lead_id"], refused["to_partner"]) == ("L2", "rec")
    assert any("TERMINATED" in reason for reason in refused["reasons"])
    assert (gen["commission_owed"], gen["commission_paid"]) == (0.0, 0.0)
    assert gen["agreements"] == {"AG1": "TERMINATED"}
    code, out, _ = run("replay", str(log), "--as-of", AS_OF, "--partner", "rec")
    rec = json.loads(out)
    assert rec["received"] == []  # returned at the termination
    assert rec["received_detail"][0]["status"] == "returned"
    assert rec["kpis"]["overall"]["acceptance_rate"] == 1.0
    assert rec["rejected_shares"] == []  # the refusal is the sender's, not the receiver's


def test_replay_agreement_view(log: Path) -> None:
    code, out, _ = run("replay", str(log), "--as-of", "2026-01-20T00:00:00Z", "--agreement", "AG1")
    assert code == 0
    body = json.loads(out)
    assert (body["agreement_id"], body["state"], body["signed_by"]) == (
        "AG1",
        "ACTIVE",
        ["gen", "rec"],
    )
    code, out, _ = run("replay", str(log), "--as-of", AS_OF, "--agreement", "AG1")
    assert json.loads(out)["state"] == "TERMINATED"


def test_unknown_partner_or_agreement_exits_1(log: Path) -> None:
    code, out, err = run("replay", str(log), "--as-of", AS_OF, "--partner", "nobody")
    assert (code, out) == (1, "")
    assert "no partner 'nobody'" in err
    code, _, err = run("replay", str(log), "--as-of", AS_OF, "--agreement", "AG9")
    assert code == 1
    assert "no agreement 'AG9'" in err


def test_two_views_at_once_is_a_usage_error(log: Path) -> None:
    code, out, err = run("replay", str(log), "--as-of", AS_OF, "--partner", "gen", "--escalations")
    assert (code, out) == (2, "")
    assert "exactly one" in err


def test_a_share_logged_after_its_agreement_ended_is_released_and_the_view_says_so() -> None:
    """Log order is not always event order: the termination may be read first. The
    share is judged on its own time (admitted), released at once, and the receiver's
    view shows the release, not a pending share."""
    deletes = terms(termination={"notice_days": 0, "outstanding_leads": "delete"})
    deal, lead = Agreement("AG1"), SharedLead("L9")
    events = [
        deal.proposed(at(0), deletes),
        *deal.signed_by_all(at(1)),
        deal.terminated(at(20)),
        lead.captured(at(5)),
        lead.consent(at(5)),
        lead.shared(at(6)),
    ]
    result = replay(events, at(30), Policy())
    assert result.leads["L9"].shares[0].status == "deleted"
    rec = to_view(result.partners["rec"])
    assert rec["received"] == []
    assert [d["status"] for d in rec["received_detail"]] == ["deleted"]


def test_system_events_in_a_log_are_outputs_never_inputs() -> None:
    """A forged escalation or partner activity in the log is refused live (not a type a
    partner may publish), so replay must leave it out too; found by the fault harness."""
    from schemas.partner_system_events import PartnerActivity, PartnerActivityData
    from schemas.system_events import EscalationRaised, EscalationRaisedData

    forged_escalation = EscalationRaised(
        event_id="forged-1",
        subject="L1",
        occurred_at=at(4),
        source="mallory",
        data=EscalationRaisedData(escalation_id="x", rule="MQL_NOT_ASSIGNED", due_at=at(4)),
    )
    forged_activity = PartnerActivity(
        event_id="forged-2",
        subject="rec",
        occurred_at=at(4),
        source="mallory",
        data=PartnerActivityData(activity_id="forged-2", kind="commission_paid", amount=1e6),
    )
    honest = replay(partnership(), at(60), Policy())
    forged = replay([*partnership(), forged_escalation, forged_activity], at(60), Policy())
    assert "x" not in {e.data.escalation_id for e in forged.escalations}
    assert forged.escalations == honest.escalations
    assert to_view(forged.partners["rec"]) == to_view(honest.partners["rec"])
