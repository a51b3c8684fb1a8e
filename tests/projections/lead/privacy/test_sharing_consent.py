"""Consent and the qualification facts kept on the lead, and their JSON round trip."""

from __future__ import annotations

from projections.lead.fold import state_from_json, state_to_json, to_view
from projections.lead.privacy.consent import has_sharing_consent
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person
from schemas.privacy_events import ConsentData, ConsentGiven, ConsentWithdrawn
from tests.support.leads import T0, at, fold


def captured() -> LeadCaptured:
    person = Person(email="a@b.c", job_title="VP Sales", region="EMEA", country="DE")
    return LeadCaptured(
        event_id="c1",
        subject="L1",
        occurred_at=T0,
        source="p",
        data=LeadCapturedData(person=person, industry="saas", budget=5000, readiness="now"),
    )


def consent(event_id: str, partner: str | None, withdrawn: bool = False) -> ConsentGiven:
    cls = ConsentWithdrawn if withdrawn else ConsentGiven
    data = ConsentData(purpose="sharing", partner_id=partner, regime="GDPR")
    return cls(event_id=event_id, subject="L1", occurred_at=at(1), source="p", data=data)  # type: ignore[return-value]


def test_capture_keeps_the_qualification_facts() -> None:
    lead = fold([captured()]).lead
    assert (lead.job_title, lead.region, lead.country) == ("VP Sales", "EMEA", "DE")
    assert set(lead.person_fields) == {"email", "job_title", "region", "country"}
    assert (lead.industry, lead.budget, lead.readiness) == ("saas", 5000, "now")


def test_consent_for_one_partner_or_for_any() -> None:
    lead = fold([captured(), consent("g1", "P2")]).lead
    assert has_sharing_consent(lead, "P2")
    assert not has_sharing_consent(lead, "P3")
    lead = fold([captured(), consent("g1", None)]).lead
    assert has_sharing_consent(lead, "P3")


def test_withdrawal_removes_the_consent() -> None:
    lead = fold([captured(), consent("g1", "P2"), consent("w1", "P2", withdrawn=True)]).lead
    assert not has_sharing_consent(lead, "P2")
    # A withdrawal for any partner ends every sharing consent.
    events = [captured(), consent("g1", "P2"), consent("g2", None), consent("w", None, True)]
    lead = fold(events).lead
    assert not has_sharing_consent(lead, "P2")
    assert not has_sharing_consent(lead, "P9")


def test_consent_for_any_partner_but_withdrawn_for_one() -> None:
    events = [captured(), consent("g1", None), consent("w1", "P2", withdrawn=True)]
    lead = fold(events).lead
    assert not has_sharing_consent(lead, "P2")
    assert has_sharing_consent(lead, "P3")
    # A later consent for any partner is broader than the earlier withdrawal.
    lead = fold([*events, consent("g2", None)]).lead
    assert has_sharing_consent(lead, "P2")


def test_partner_fields_survive_the_table_codec_and_the_view_keeps_its_fields() -> None:
    lead = fold([captured(), consent("g1", "P2")]).lead
    assert state_from_json(state_to_json(lead)) == lead
    view = to_view(lead)
    assert {"lead_id", "status", "score", "owner", "team", "history", "open_clocks"} <= set(view)
    assert view["shares"] == []
    assert view["commissions"] == []
    assert view["obligations"] == []


def test_a_state_stored_before_partners_still_loads() -> None:
    import json

    body = json.loads(state_to_json(fold([captured()]).lead))
    for key in ("job_title", "region", "country", "person_fields", "consents", "shares"):
        body.pop(key)
    for key in ("refused_partners", "commissions", "obligations"):
        body.pop(key)
    old = state_from_json(json.dumps(body).encode())
    assert old.shares == ()
    assert old.job_title is None
