"""Who may share a lead (design rule 1): its capturing partner, or a partner holding it
through an accepted share, speaking for itself. Anyone else is refused with one reason
that says nothing about the lead and does not bar the receiver."""

from __future__ import annotations

import json

from projections.lead.state import state_from_json, state_to_json
from tests.support.partners import SharedLead, at, book, run, signed_agreement, terms

STRICT = terms(qualification={"min_budget": 10**9, "industries": ["mining"]})


def test_a_stranger_learns_nothing_of_the_lead_and_does_not_bar_the_receiver() -> None:
    # intruder is a generator (with rec) under AG2, but the lead is gen's: its refusal
    # must not describe the lead (budget, industry, that rec already has it), and rec
    # may still receive the lead from gen afterwards.
    intruder = signed_agreement(
        "AG2", parties=(("intruder", "generator"), ("rec", "receiver")), the_terms=STRICT
    )
    lead = SharedLead()
    events = [
        lead.captured(budget=1234.0, industry="biotech"),
        lead.consent(at(1)),
        lead.shared(at(2), frm="intruder", ag="AG2"),
        lead.shared(at(3)),
    ]
    result = run(events, book(signed_agreement(), intruder))
    (refused,) = result.of_type("LeadShareRejected")
    assert refused.data.reasons == ["partner intruder does not hold lead L1"]
    for fact in ("1234", "biotech", "budget", "industry", "already", "exclusivity"):
        assert fact not in refused.data.reasons[0]
    assert result.lead.refused_partners == ()
    (share,) = result.lead.shares
    assert (share.from_partner, share.to_partner, share.status) == ("gen", "rec", "pending")
    (seen,) = result.activities("intruder")
    assert (seen.data.kind, seen.data.reasons) == ("share_refused", refused.data.reasons)
    assert [a.data.kind for a in result.activities("gen")] == ["share_sent"]


def test_a_stranger_is_told_nothing_of_a_lead_already_refused_or_held() -> None:
    lead = SharedLead()
    events = [lead.captured(), lead.shared(at(1)), lead.shared(at(2), frm="rec", to="gen")]
    result = run(events)  # no consent: gen's share to rec is refused and bars rec
    first, second = result.of_type("LeadShareRejected")
    assert "require consent" in " ".join(first.data.reasons)
    assert second.data.reasons == ["partner rec does not hold lead L1"]
    assert result.lead.refused_partners == ("rec",)


def test_a_receiver_that_accepted_may_pass_the_lead_on_when_its_agreement_allows() -> None:
    onward = signed_agreement("AG2", parties=(("rec", "generator"), ("third", "receiver")))
    lead = SharedLead()
    head = [lead.captured(), lead.consent(at(1)), lead.shared(at(2))]
    early = run(
        [*head, lead.shared(at(3), frm="rec", to="third", ag="AG2")],
        book(signed_agreement(), onward),
    )
    (refused,) = early.of_type("LeadShareRejected")  # pending is not holding
    assert refused.data.reasons == ["partner rec does not hold lead L1"]
    assert early.lead.refused_partners == ()

    lead = SharedLead()
    head = [lead.captured(), lead.consent(at(1)), lead.shared(at(2)), lead.responded(at(3))]
    passed = run(
        [*head, lead.shared(at(4), frm="rec", to="third", ag="AG2")],
        book(signed_agreement(), onward),
    )
    assert passed.rejections == []
    assert [(s.from_partner, s.to_partner) for s in passed.lead.shares] == [
        ("gen", "rec"),
        ("rec", "third"),
    ]


def test_a_source_may_not_share_on_behalf_of_another_partner() -> None:
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2), source="rec"),  # rec claims gen shares with rec
        lead.shared(at(3)),
    ]
    result = run(events)
    (refused,) = result.of_type("LeadShareRejected")
    assert refused.data.reasons == ["source rec may not share on behalf of gen"]
    assert result.rejections == refused.data.reasons
    # gen's view shows nothing claimed in its name; rec is not barred.
    assert [a.data.kind for a in result.activities("gen")] == ["share_sent"]
    assert result.lead.refused_partners == ()
    assert [s.to_partner for s in result.lead.shares] == ["rec"]


def test_the_capturing_partner_is_kept_and_an_older_state_still_loads() -> None:
    lead = run([SharedLead().captured(by="acme")]).lead
    assert lead.captured_by == "acme"
    assert state_from_json(state_to_json(lead)) == lead
    older = json.loads(state_to_json(lead))
    del older["captured_by"]
    assert state_from_json(json.dumps(older).encode()).captured_by is None
