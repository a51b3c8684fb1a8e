"""ErasureRequested on the lead fold: the request, one obligation per holder, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projections.agreement.state import AgreementBook
from projections.compliance.partner import PartnerPrivacy, fold_privacy, partner_privacy
from projections.lead.partners import Obligation
from projections.lead.privacy.holders import holders
from projections.lead.state import state_from_json, state_to_json
from projections.policy import Policy, PrivacyPolicy
from tests.support.partners import Run, SharedLead, at, book, run, signed_agreement, terms

TWO_RECEIVERS = (("gen", "generator"), ("rec", "receiver"), ("rec2", "receiver"))


def two_holders(lead: SharedLead) -> list:  # type: ignore[type-arg]
    """rec accepted the lead, rec2 has it pending: both hold its personal data."""
    return [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.responded(at(3)),
        lead.shared(at(4), to="rec2"),
    ]


def requests(result: Run) -> list[Obligation]:
    return [o for o in result.lead.obligations if o.kind == "erasure_request"]


def agreements(**privacy: int) -> AgreementBook:
    return book(signed_agreement(parties=TWO_RECEIVERS, the_terms=terms(privacy=privacy)))


def test_the_request_records_an_obligation_per_holder_and_erases_the_lead() -> None:
    lead = SharedLead()
    result = run([*two_holders(lead), lead.erasure_requested(at(10))], agreements())
    erasure = result.lead.erasure
    assert erasure is not None
    assert (erasure.request_id, erasure.regime, erasure.requested_at) == ("R1", "GDPR", at(10))
    due = at(10) + timedelta(days=30)
    assert [(o.kind, o.partner_id, o.confirm_id, o.due_at) for o in requests(result)] == [
        ("erasure_request", "rec", "R1", due),
        ("erasure_request", "rec2", "R1", due),
    ]
    assert {c.clock_id for c in result.lead.clocks if c.rule == "ERASURE_OVERDUE"} == {
        f"ERASURE_OVERDUE:{o.obligation_id}" for o in requests(result)
    }
    told = {(a.subject, a.data.counterparty) for a in result.activities()}
    told &= {
        (a.subject, a.data.counterparty)
        for a in result.activities()
        if a.data.kind == "erasure_requested"
    }
    assert told == {("rec", "gen"), ("rec2", "gen"), ("gen", "rec"), ("gen", "rec2")}


def test_each_holder_confirms_for_itself_and_the_late_one_escalates() -> None:
    lead = SharedLead()
    events = [*two_holders(lead), lead.erasure_requested(at(10)), lead.erased(at(20), "R1")]
    result = run(events, agreements(), until=at(10) + timedelta(days=31))
    rec, rec2 = requests(result)
    assert (rec.settled_at, rec2.settled_at) == (at(20), None)
    erasure = [e for e in result.escalations() if e[0] == "ERASURE_OVERDUE"]
    assert erasure == [
        ("ERASURE_OVERDUE", at(10) + timedelta(days=30), ["gen", "rec2", "data-protection-owner"])
    ]
    escalation = result.of_type("EscalationRaised")[-1].data
    assert escalation.details["request_id"] == "R1"
    assert escalation.details["regime"] == "GDPR"


def test_a_confirmation_must_name_the_request_and_come_from_a_holder() -> None:
    lead = SharedLead()
    events = [*two_holders(lead), lead.erasure_requested(at(10))]
    result = run(
        [*events, lead.erased(at(11), "R2"), lead.erased(at(12), "R1", partner="gen")],
        agreements(),
    )
    assert result.rejections == [
        "no open erasure obligation R2 of rec on lead L1",
        "no open erasure obligation R1 of gen on lead L1",
    ]


@pytest.mark.parametrize(
    ("regime", "agreement_days", "hipaa_days", "expected"),
    [
        ("GDPR", 60, 60, 30),  # the law is stricter than the agreement
        ("CCPA", 60, 60, 45),
        ("CCPA", 10, 60, 10),  # the agreement is stricter than the law
        ("HIPAA", 30, 60, 30),  # HIPAA: the agreement, capped by the policy's figure
        ("HIPAA", 90, 60, 60),
        ("HIPAA", 90, 20, 20),
    ],
)
def test_the_stricter_of_the_regime_and_the_agreement_sets_the_deadline(
    regime: str, agreement_days: int, hipaa_days: int, expected: int
) -> None:
    lead = SharedLead()
    policy = Policy(privacy=PrivacyPolicy(hipaa_erasure_days=hipaa_days))
    result = run(
        [*two_holders(lead), lead.erasure_requested(at(10), regime=regime)],
        agreements(erasure_within_days=agreement_days),
        policy=policy,
    )
    assert {o.due_at for o in requests(result)} == {at(10) + timedelta(days=expected)}


def test_an_erased_lead_is_never_shared_again_nor_erased_twice() -> None:
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.erasure_requested(at(2)),
        lead.shared(at(3)),
        lead.erasure_requested(at(4), request_id="R2"),
    ]
    result = run(events)
    assert result.lead.shares == ()
    assert result.rejections == [
        "lead L1 was erased at its person's request: it is never shared again",
        "lead L1 is already erased (request R1)",
    ]
    assert result.lead.obligations == ()  # nobody held it: nobody to tell


def test_partners_that_gave_the_lead_back_are_not_holders() -> None:
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.responded(at(3)),
        lead.released(at(5)),  # "return" terms: rec handed it back
        lead.erasure_requested(at(10)),
    ]
    result = run(events)
    assert result.lead.erasure is not None
    assert requests(result) == []


def test_the_request_and_its_obligations_survive_the_table_codec() -> None:
    lead = SharedLead()
    result = run([*two_holders(lead), lead.erasure_requested(at(10))], agreements())
    assert state_from_json(state_to_json(result.lead)) == result.lead


def test_one_confirmation_settles_every_deletion_duty_of_the_share() -> None:
    """A lead deleted at termination and then asked to be erased: the holder confirms
    once (naming either duty) and owes nothing more."""
    delete = book(signed_agreement(the_terms=terms(termination={"outstanding_leads": "delete"})))
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.responded(at(3)),
        lead.released(at(5), handling="delete"),
        lead.erasure_requested(at(10)),
        lead.erased(at(11), "R1"),
    ]
    result = run(events, delete, until=at(10) + timedelta(days=400))
    assert {o.kind for o in result.lead.obligations} == {"retention", "erasure", "erasure_request"}
    assert all(o.settled_at is not None for o in result.lead.obligations)
    assert result.escalations() == []
    assert holders(result.lead) == []


def test_giving_the_lead_back_after_the_request_does_not_confirm_the_erasure() -> None:
    """rec2 had the lead pending when the erasure came, then rejected it: it still owes
    the confirmation, on the lead's side and in its own compliance view; an acceptance
    after the request opens no retention (the request covers it)."""
    lead = SharedLead()
    events = [
        *two_holders(lead),
        lead.erasure_requested(at(10)),
        lead.responded(at(11), partner="rec2", accepted=False),
    ]
    result = run(events, agreements())
    assert holders(result.lead) == ["rec", "rec2"]
    views: dict[str, PartnerPrivacy] = {}
    for activity in result.activities():
        views[activity.subject] = fold_privacy(views.get(activity.subject), activity)
    (rec2,) = partner_privacy(views["rec2"])["holdings"]
    assert (rec2["status"], rec2["erasure_request"]) == ("rejected", "R1")
    confirmed = run([*events, lead.erased(at(12), "R1", partner="rec2")], agreements())
    assert holders(confirmed.lead) == ["rec"]

    late = SharedLead()
    accepted_late = [
        late.captured(),
        late.consent(at(1)),
        late.shared(at(2)),
        late.erasure_requested(at(3)),
        late.responded(at(4)),
    ]
    assert [o.kind for o in run(accepted_late).lead.obligations] == ["erasure_request"]
