"""Share admission (design rules 1-4 and 9): every reason, and what an admitted share
records and emits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from projections.agreement.state import Signature
from tests.support.partners import T0, SharedLead, at, book, run, signed_agreement, terms


def test_an_admitted_share_snapshots_its_terms_and_starts_the_response_clock() -> None:
    lead = SharedLead()
    share = lead.shared(at(2))
    result = run([lead.captured(), lead.consent(at(1)), share])
    assert result.rejections == []
    (recorded,) = result.lead.shares
    assert (recorded.share_id, recorded.to_partner, recorded.status) == (
        share.event_id,
        "rec",
        "pending",
    )
    assert (recorded.terms_version, recorded.accept_within_hours) == (1, 48)
    (clock,) = result.lead.clocks
    assert clock.clock_id == f"PARTNER_NOT_RESPONDED:{share.event_id}"
    assert clock.due_at == at(2) + timedelta(hours=48)
    assert clock.policy_version == "AG1@v1"
    (record,) = result.of_type("ShareRecorded")
    assert (record.subject, record.data.status, record.data.lead_id) == ("AG1", "admitted", "L1")
    assert [a.data.kind for a in result.activities("gen")] == ["share_sent"]
    assert [a.data.kind for a in result.activities("rec")] == ["share_received"]


def test_every_reason_is_listed_not_only_the_first() -> None:
    strict = terms(
        qualification={
            "min_budget": 50000,
            "industries": ["fintech"],
            "job_roles": ["cto"],
            "readiness": ["now", "3m"],
            "required_fields": ["phone", "budget"],
            "min_score": 40,
        },
        nda_required=True,
    )
    unsigned = signed_agreement(the_terms=strict, signed=False)
    exclusive = signed_agreement(
        "AG2",
        parties=(("gen", "generator"), ("rec2", "receiver")),
        the_terms=terms(exclusivity=[{"region": "EMEA", "partner_id": "rec2"}]),
    )
    lead = SharedLead()
    captured = lead.captured(by="rec", budget=100.0, readiness="12m")
    events = [captured, lead.shared(at(1), to="gen", frm="rec")]
    result = run(events, book(unsigned, exclusive))
    (rejected,) = result.of_type("LeadShareRejected")
    reasons = "\n".join(rejected.data.reasons)
    for fragment in (
        "is PROPOSED",
        "rec has role receiver",
        "gen has role generator",
        "budget 100.0 is below the minimum 50000",
        "industry saas is not one of fintech",
        "job title Head of Sales matches none of cto",
        "readiness 12m",
        "required fields missing: phone",
        "score 0 is below the minimum 40",
        "require consent",
        "NDA is required and not signed by gen, rec",
        "another partner has exclusivity over region EMEA",  # rec is no party to AG2
    ):
        assert fragment in reasons
    assert len(rejected.data.reasons) == 12
    assert result.rejections == ["; ".join(rejected.data.reasons)]
    assert result.lead.shares == ()
    # The sender learns why; the partner it was meant for hears nothing of it.
    assert [a.data.kind for a in result.activities("rec")] == ["share_refused"]
    assert result.activities("rec")[0].data.reasons == rejected.data.reasons
    assert result.activities("gen") == []


def test_a_partner_never_receives_a_lead_it_was_refused() -> None:
    lead = SharedLead()
    events = [lead.captured(), lead.shared(at(1)), lead.consent(at(2)), lead.shared(at(3))]
    result = run(events)
    first, second = result.of_type("LeadShareRejected")
    assert "require consent" in first.data.reasons[0]
    assert second.data.reasons == [
        "rec was refused lead L1 before, and a partner never receives a lead it was refused"
    ]
    assert result.lead.refused_partners == ("rec",)


def test_consent_must_name_the_partner_or_any_and_be_in_force() -> None:
    lead = SharedLead()
    for_other = run([lead.captured(), lead.consent(at(1), "someone-else"), lead.shared(at(2))])
    assert len(for_other.of_type("LeadShareRejected")) == 1
    lead = SharedLead()
    for_rec = run([lead.captured(), lead.consent(at(1), "rec"), lead.shared(at(2))])
    assert for_rec.rejections == []
    lead = SharedLead()
    no_consent_needed = book(signed_agreement(the_terms=terms(privacy={"require_consent": False})))
    assert run([lead.captured(), lead.shared(at(2))], no_consent_needed).rejections == []


def test_exclusivity_of_an_inactive_agreement_or_for_the_same_receiver_does_not_block() -> None:
    grant = terms(exclusivity=[{"industry": "SaaS", "partner_id": "rec"}])
    to_rec = signed_agreement("AG2", (("gen", "generator"), ("rec", "receiver")), grant)
    proposed = signed_agreement(
        "AG3", (("gen", "generator"), ("x", "receiver")), grant, signed=False
    )
    lead = SharedLead()
    result = run(
        [lead.captured(), lead.consent(at(1)), lead.shared(at(2))],
        book(signed_agreement(), to_rec, proposed),
    )
    assert result.rejections == []
    other = terms(exclusivity=[{"industry": "SaaS", "region": "APAC", "partner_id": "x"}])
    both_fields = signed_agreement("AG4", (("gen", "generator"), ("x", "receiver")), other)
    lead = SharedLead()
    result = run(
        [lead.captured(), lead.consent(at(1)), lead.shared(at(2))],
        book(signed_agreement(), both_fields),
    )
    assert result.rejections == []  # the grant names APAC and SaaS: the EMEA lead is outside it


def test_an_unknown_budget_fails_a_minimum_budget() -> None:
    minimum = book(signed_agreement(the_terms=terms(qualification={"min_budget": 1000})))
    lead = SharedLead()
    result = run([lead.captured(budget=None), lead.consent(at(1)), lead.shared(at(2))], minimum)
    reasons = result.of_type("LeadShareRejected")[0].data.reasons
    assert reasons == ["budget unknown; the minimum is 1000.0"]


def test_an_exclusivity_in_a_partnership_the_sender_is_not_in_is_not_disclosed() -> None:
    grant = terms(exclusivity=[{"region": "EMEA", "partner_id": "rival"}])
    elsewhere = signed_agreement("AG9", (("other-gen", "generator"), ("rival", "receiver")), grant)
    lead = SharedLead()
    events = [lead.captured(), lead.consent(at(1)), lead.shared(at(2))]
    result = run(events, book(signed_agreement(), elsewhere))
    (rejected,) = result.of_type("LeadShareRejected")
    assert rejected.data.reasons == ["another partner has exclusivity over region EMEA"]


def test_unknown_or_expired_agreement() -> None:
    lead = SharedLead()
    unknown = run([lead.captured(), lead.consent(at(1)), lead.shared(at(2), ag="NOPE")])
    assert unknown.of_type("LeadShareRejected")[0].data.reasons == ["unknown agreement NOPE"]
    expired = signed_agreement(the_terms=terms(expires_at=T0 - timedelta(days=1)))
    lead = SharedLead()
    result = run([lead.captured(), lead.consent(at(1)), lead.shared(at(2))], book(expired))
    assert "is EXPIRED" in result.of_type("LeadShareRejected")[0].data.reasons[0]


def test_one_lead_shared_with_two_receivers_runs_two_response_clocks() -> None:
    parties = (("gen", "generator"), ("rec", "receiver"), ("rec2", "both"))
    agreements = book(signed_agreement(parties=parties))
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.shared(at(3), to="rec2"),
    ]
    result = run(events, agreements, until=at(100))
    assert result.escalations() == [
        ("PARTNER_NOT_RESPONDED", at(50), ["gen", "rec"]),
        ("PARTNER_NOT_RESPONDED", at(51), ["gen", "rec2"]),
    ]
    ids = {e.data.escalation_id for e in result.of_type("EscalationRaised")}
    assert len(ids) == 2
    assert [a.data.kind for a in result.activities("rec2")] == [
        "share_received",
        "response_overdue",
    ]


def test_sharing_the_same_lead_twice_to_one_partner_is_refused() -> None:
    lead = SharedLead()
    result = run([lead.captured(), lead.consent(at(1)), lead.shared(at(2)), lead.shared(at(3))])
    (rejected,) = result.of_type("LeadShareRejected")
    assert rejected.data.reasons == ["lead L1 is already with rec"]


def test_a_sender_outside_the_agreement_learns_nothing_of_its_terms_or_state() -> None:
    # AG1 is between gen and rec; a stranger that names it must not learn its state,
    # its qualification or privacy terms, the NDA signatures or the parties' roles.
    strict = terms(
        qualification={"min_budget": 10**9, "industries": ["mining"]},
        nda_required=True,
        expires_at=T0 - timedelta(days=1),
    )
    lead = SharedLead()  # captured by stranger: it may share it, but not under AG1
    events = [lead.captured(by="stranger"), lead.shared(at(2), frm="stranger", to="rec")]
    result = run(events, book(signed_agreement(the_terms=strict)))
    (rejected,) = result.of_type("LeadShareRejected")
    assert rejected.data.reasons == ["stranger is not a party to the agreement"]
    assert [a.data.kind for a in result.activities("stranger")] == ["share_refused"]
    assert result.activities("rec") == []
    assert result.activities("gen") == []


def test_an_unsigned_nda_refuses_the_share_and_names_who_has_not_signed() -> None:
    # nda_required and only the generator has signed: the share is refused for the NDA
    # (naming the receiver) besides the agreement not being ACTIVE; once everyone has
    # signed, the same share is admitted.
    nda = terms(nda_required=True, privacy={"require_consent": False})
    half = signed_agreement(the_terms=nda, signed=False)
    half = replace(
        half,
        signed_by=frozenset({"gen"}),
        signatures=(Signature("gen", "ceo@gen", "NDA", T0 - timedelta(days=30), 1),),
    )
    lead = SharedLead()
    refused = run([lead.captured(), lead.shared(at(2))], book(half))
    (rejected,) = refused.of_type("LeadShareRejected")
    assert "the NDA is required and not signed by rec" in rejected.data.reasons
    assert any("is PROPOSED" in reason for reason in rejected.data.reasons)
    lead = SharedLead()
    admitted = run([lead.captured(), lead.shared(at(2))], book(signed_agreement(the_terms=nda)))
    assert admitted.of_type("LeadShareRejected") == []
