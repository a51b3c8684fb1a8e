"""Proposal, signatures (element 10) and amendments (element 5) of the agreement fold."""

from __future__ import annotations

from projections.agreement.state import ACTIVE, PROPOSED, state_at, terms_at
from projections.history import iso_z
from schemas.agreement_events import Exclusivity, Party
from tests.support.agreements import T0, Agreement, at, fold, of_type, terms


def test_proposal_names_every_problem_and_creates_nothing() -> None:
    ag = Agreement()
    bad = terms(
        expires_at=T0,
        exclusivity=[Exclusivity(partner_id="gen", region="EU"), Exclusivity(partner_id="rec")],
        disputes={"steps": []},
    )
    parties = [Party(partner_id="gen", role="generator"), Party(partner_id="gen", role="generator")]
    state, emitted, rejections = fold([ag.proposed(T0, bad, parties)])
    assert state is None
    assert emitted == []
    reasons = rejections[0]
    for expected in (
        "a partner is listed twice",
        "no party receives leads",
        "expires_at 2026-01-05T09:00:00Z is not after effective_from",
        "exclusivity goes to gen, not a receiving party",
        "exclusivity for rec names no region or industry",
        "dispute steps [] must be distinct",
    ):
        assert expected in reasons


def test_event_before_proposal_is_refused() -> None:
    ag = Agreement()
    state, _, rejections = fold([ag.signed(T0, "gen")])
    assert state is None
    assert rejections == ["AgreementSigned for unknown agreement AG1"]


def test_active_only_when_every_party_signed() -> None:
    ag = Agreement()
    state, emitted, _ = fold([ag.proposed(T0), ag.signed(at(1), "gen")])
    assert state is not None
    assert state.status == PROPOSED
    assert state_at(state, at(2)) == PROPOSED
    state, emitted, _ = fold([ag.proposed(T0), ag.signed(at(1), "gen"), ag.signed(at(2), "rec")])
    assert state is not None
    assert state.status == ACTIVE
    assert state.activated_at == at(2)
    assert state_at(state, at(1)) == PROPOSED
    assert state_at(state, at(2)) == ACTIVE
    activity = of_type(emitted, "PartnerActivity")
    assert [(a.subject, a.data.details["state"]) for a in activity] == [
        ("gen", "PROPOSED"),
        ("rec", "PROPOSED"),
        ("gen", "ACTIVE"),
        ("rec", "ACTIVE"),
    ]
    assert activity[2].data.counterparty == "rec"


def test_not_active_before_effective_from_even_when_signed() -> None:
    ag = Agreement()
    later = terms(effective_from=at(10), expires_at=at(375))
    events = [ag.proposed(T0, later), *ag.signed_by_all(at(1))]
    state, emitted, _ = fold(events)
    assert state is not None
    assert state.status == PROPOSED
    assert state_at(state, at(9)) == PROPOSED
    assert state_at(state, at(10)) == ACTIVE  # from the facts alone, no clock needed
    [scheduled] = of_type(emitted, "DeadlineScheduled")
    assert (scheduled.data.rule, scheduled.data.due_at) == ("AGREEMENT_ACTIVATES", at(10))
    state, _, _ = fold(events, until=at(10))
    assert state is not None
    assert (state.status, state.activated_at) == (ACTIVE, at(10))


def test_signature_by_a_non_party_or_twice_is_refused() -> None:
    ag = Agreement()
    events = [ag.proposed(T0), ag.signed(at(1), "stranger"), ag.signed(at(1), "gen")]
    events += [ag.signed(at(2), "gen")]
    state, _, rejections = fold(events)
    assert rejections == [
        "stranger is not a party to agreement AG1",
        "gen already signed version 1",
    ]
    assert state is not None
    assert state.signed_by == {"gen"}


def test_signer_and_title_are_kept() -> None:
    ag = Agreement()
    state, _, _ = fold([ag.proposed(T0), ag.signed(at(1), "gen", title="MSA and NDA")])
    assert state is not None
    [signature] = state.signatures
    assert (signature.partner_id, signature.signer, signature.title) == (
        "gen",
        "ceo@gen",
        "MSA and NDA",
    )
    assert signature.at == at(1)


def test_amendment_needs_every_party_again_and_old_terms_rule_until_then() -> None:
    ag = Agreement()
    new_terms = terms(termination={"notice_days": 5, "outstanding_leads": "delete"})
    events = [ag.proposed(T0), *ag.signed_by_all(at(1)), ag.amended(at(10), new_terms)]
    events += [ag.signed(at(11), "gen")]
    state, _, _ = fold(events)
    assert state is not None
    assert (state.terms_version, state.pending_terms) == (1, new_terms)
    assert state.signed_by == {"gen"}
    assert terms_at(state, at(11))[0] == 1
    state, emitted, _ = fold([*events, ag.signed(at(12), "rec")])
    assert state is not None
    assert (state.terms_version, state.terms, state.pending_terms) == (2, new_terms, None)
    assert state.signed_by == {"gen", "rec"}
    assert terms_at(state, at(11.9)) == (1, terms())
    assert terms_at(state, at(12)) == (2, new_terms)
    assert state_at(state, at(11.5)) == ACTIVE  # the old version ruled meanwhile
    told = [a.data.details for a in of_type(emitted, "PartnerActivity")][-2:]
    assert [(d["terms_version"], d["amended_from"]) for d in told] == [("2", iso_z(at(12)))] * 2


def test_amendment_before_signature_replaces_the_proposal() -> None:
    ag = Agreement()
    new_terms = terms(nda_required=True)
    events = [ag.proposed(T0), ag.signed(at(1), "gen"), ag.amended(at(2), new_terms)]
    state, _, _ = fold(events)
    assert state is not None
    assert (state.terms_version, state.terms, state.signed_by) == (1, new_terms, frozenset())
    assert [s.partner_id for s in state.signatures] == []
    state, _, _ = fold([*events, *ag.signed_by_all(at(3))])
    assert state is not None
    assert state.status == ACTIVE


def test_amended_terms_are_validated() -> None:
    ag = Agreement()
    bad = terms(exclusivity=[Exclusivity(partner_id="gen", industry="saas")])
    _, _, rejections = fold([ag.proposed(T0), *ag.signed_by_all(at(1)), ag.amended(at(2), bad)])
    assert rejections == ["exclusivity goes to gen, not a receiving party"]


def test_duplicate_event_is_a_no_op() -> None:
    ag = Agreement()
    proposal, sign = ag.proposed(T0), ag.signed(at(1), "gen")
    once, _, _ = fold([proposal, sign])
    twice, _, rejections = fold([proposal, sign, sign, proposal, ag.proposed(at(2))])
    assert rejections == ["agreement AG1 was already proposed"]  # only the new id
    assert once is not None
    assert twice is not None
    assert twice.signed_by == once.signed_by
    assert twice.history == once.history
