"""Partner response (design rule 3) and the end of a share at termination (rule 5)."""

from __future__ import annotations

from datetime import timedelta

from tests.support.partners import SharedLead, at, book, run, signed_agreement, terms


def shared(lead: SharedLead) -> list:  # type: ignore[type-arg]
    return [lead.captured(), lead.consent(at(1)), lead.shared(at(2))]


def test_acceptance_stops_the_clock_and_records_the_response_time() -> None:
    lead = SharedLead()
    result = run([*shared(lead), lead.responded(at(12))], until=at(200))
    (share,) = result.lead.shares
    assert (share.status, share.responded_at) == ("accepted", at(12))
    assert [c.rule for c in result.lead.clocks] == ["RETENTION_EXPIRED"]  # the duty to delete
    assert result.escalations() == []
    assert result.of_type("DeadlineCancelled")[0].data.rule == "PARTNER_NOT_RESPONDED"
    assert [r.data.status for r in result.of_type("ShareRecorded")] == ["admitted", "accepted"]
    responded = [a for a in result.activities() if a.data.kind == "responded"]
    assert {a.subject for a in responded} == {"gen", "rec"}
    details = responded[0].data.details or {}
    assert (details["accepted"], details["response_hours"], details["within_sla"]) == (
        "true",
        "10.0",
        "true",
    )


def test_no_answer_within_the_agreements_hours_escalates_to_both_partners() -> None:
    quick = book(signed_agreement(the_terms=terms(response={"accept_within_hours": 4})))
    lead = SharedLead()
    late = run([*shared(lead), lead.responded(at(9), accepted=False)], quick)
    assert late.escalations() == [("PARTNER_NOT_RESPONDED", at(6), ["gen", "rec"])]
    assert late.lead.shares[0].status == "rejected"  # a late answer still counts
    details = next(a for a in late.activities("rec") if a.data.kind == "responded").data.details
    assert details is not None
    assert details["within_sla"] == "false"


def test_only_the_receiver_of_a_pending_share_may_respond() -> None:
    lead = SharedLead()
    result = run(
        [
            *shared(lead),
            lead.responded(at(3), partner="gen"),
            lead.responded(at(4)),
            lead.responded(at(5)),
        ]
    )
    assert result.rejections == [
        "lead L1 has no share awaiting gen's response",
        "lead L1 has no share awaiting rec's response",
    ]


def test_termination_return_hands_the_lead_back() -> None:
    lead = SharedLead()
    result = run([*shared(lead), lead.responded(at(3)), lead.released(at(100))])
    assert result.lead.shares[0].status == "returned"
    assert [r.data.status for r in result.of_type("ShareRecorded")][-1] == "closed"
    assert {a.subject for a in result.activities() if a.data.kind == "lead_returned"} == {
        "gen",
        "rec",
    }


def test_termination_of_a_pending_share_stops_its_response_clock() -> None:
    lead = SharedLead()
    result = run([*shared(lead), lead.released(at(10))], until=at(300))
    assert result.escalations() == []
    assert result.lead.shares[0].status == "returned"


def test_delete_creates_an_erasure_obligation_with_a_clock() -> None:
    delete = book(
        signed_agreement(
            the_terms=terms(
                termination={"outstanding_leads": "delete"}, privacy={"erasure_within_days": 10}
            )
        )
    )
    lead = SharedLead()
    events = [*shared(lead), lead.responded(at(3)), lead.released(at(100))]
    overdue = run(events, delete, until=at(100) + timedelta(days=11))
    retention, obligation = overdue.lead.obligations
    assert (retention.kind, retention.settled_at) == ("retention", at(100))  # replaced
    assert (obligation.partner_id, obligation.due_at) == ("rec", at(100) + timedelta(days=10))
    assert overdue.escalations() == [("ERASURE_OVERDUE", obligation.due_at, ["gen", "rec"])]
    settled = run([*events, lead.erased(at(110), obligation.obligation_id)], delete, until=at(400))
    assert settled.lead.obligations[1].settled_at == at(110)
    assert settled.escalations() == []
    wrong = run([*events, lead.erased(at(110), obligation.obligation_id, partner="gen")], delete)
    assert wrong.rejections == [
        f"no open erasure obligation {obligation.obligation_id} of gen on lead L1"
    ]


def test_the_share_keeps_the_termination_handling_it_was_made_under() -> None:
    # The release names "delete", but the share was made under "return" terms.
    lead = SharedLead()
    result = run([*shared(lead), lead.responded(at(3)), lead.released(at(100), handling="delete")])
    assert result.lead.shares[0].status == "returned"
    assert [o.kind for o in result.lead.obligations if o.settled_at is None] == []
