"""Sealing a person: AES-GCM per lead, bound to its lead and event, folded alike.

The fold reads only the clear profile, so every golden log folds to the same states
whether its persons are plaintext or sealed (the record log's form).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from projections.lead.state import state_to_json
from projections.replay import replay
from schemas.codec import decode, encode
from schemas.lead_events import LeadCaptured, Person, SealedPerson
from streams.personal_data.sealing import LeadKey, new_key, open_person, seal_event, seal_person
from tests.golden.load import NAMES, golden
from tests.support.leads import T0, Lead

PERSON = Person(
    email="ada.distinct@pii.example",
    first_name="Adaline",
    last_name="Lovelacey",
    phone="+44 20 7946 0000",
    company="Engines Ltd",
    job_title="CTO",
    country="GB",
    region="EMEA",
)


def _captured(lead_id: str = "L-seal") -> LeadCaptured:
    plain = Lead(lead_id).captured()
    return plain.model_copy(update={"data": plain.data.model_copy(update={"person": PERSON})})


def test_a_sealed_person_opens_only_with_its_key_lead_and_event() -> None:
    key = new_key("L1")
    sealed = seal_person(PERSON, key, "L1", "e1")
    assert open_person(sealed, key, "L1", "e1") == PERSON
    assert open_person(sealed, None, "L1", "e1") is None  # erased: no key
    assert open_person(sealed, new_key("L1"), "L1", "e1") is None  # another key, same id
    assert open_person(sealed, key, "L2", "e1") is None  # moved onto another lead
    assert open_person(sealed, key, "L1", "e2") is None  # moved onto another event


def test_sealing_keeps_the_profile_in_clear_and_no_identifying_field() -> None:
    keys: dict[str, LeadKey] = {}
    sealed = seal_event(_captured(), lambda lead: keys.setdefault(lead, new_key(lead)))
    assert isinstance(sealed, LeadCaptured)
    assert isinstance(sealed.data.person, SealedPerson)
    assert sealed.data.person.key_id == keys["L-seal"].key_id
    assert sealed.data.profile is not None
    assert (sealed.data.profile.job_title, sealed.data.profile.country) == ("CTO", "GB")
    assert set(sealed.data.profile.fields) == set(PERSON.model_dump(exclude_none=True))
    wire = encode(sealed)
    for secret in ("ada.distinct", "Adaline", "Lovelacey", "7946", "Engines"):
        assert secret.encode() not in wire
    assert decode(wire) == sealed  # LeadCaptured v3 carries the profile


@pytest.mark.parametrize("name", NAMES)
def test_a_golden_log_folds_the_same_sealed_or_plaintext(name: str) -> None:
    case = golden(name)
    keys: dict[str, LeadKey] = {}
    sealed = [seal_event(e, lambda lead: keys.setdefault(lead, new_key(lead))) for e in case.events]
    assert any(isinstance(e, LeadCaptured) for e in case.events)
    assert all(
        isinstance(e.data.person, SealedPerson) for e in sealed if isinstance(e, LeadCaptured)
    )
    as_of = max(e.occurred_at for e in case.events)
    plain, recorded = replay(case.events, as_of, case.policy), replay(sealed, as_of, case.policy)
    assert plain.leads.keys() == recorded.leads.keys()
    for lead_id, state in plain.leads.items():
        folded = recorded.leads[lead_id]
        # The content digests cover the person as folded: sealed in one, plain in the
        # other (projections/idempotency.py); the same ids, the rest byte for byte.
        assert folded.digests.keys() == state.digests.keys(), lead_id
        sealed_json = state_to_json(replace(folded, digests={}))
        assert sealed_json == state_to_json(replace(state, digests={})), lead_id
    assert [e.data.escalation_id for e in recorded.escalations] == [
        e.data.escalation_id for e in plain.escalations
    ]


def test_a_sealed_person_without_a_profile_keeps_its_facts_sealed() -> None:
    key = new_key("L-old")
    captured = _captured("L-old")
    bare = captured.data.model_copy(
        update={"person": seal_person(PERSON, key, "L-old", captured.event_id)}
    )
    state = replay([captured.model_copy(update={"data": bare})], T0, golden(NAMES[0]).policy)
    lead = state.leads["L-old"]
    assert (lead.job_title, lead.person_fields) == (None, ())


def test_sealing_the_same_person_of_the_same_event_again_gives_the_same_bytes() -> None:
    # A redelivered event sealed again under the surviving key is byte-identical, so
    # the record log's second copy says exactly what the first said.
    key = new_key("L1")
    first = seal_person(PERSON, key, "L1", "e1")
    assert seal_person(PERSON, key, "L1", "e1") == first
    assert seal_person(PERSON, key, "L1", "e2").nonce != first.nonce  # another event
    other = PERSON.model_copy(update={"phone": "+44 20 7946 0001"})
    assert seal_person(other, key, "L1", "e1").nonce != first.nonce  # another person
    assert seal_person(PERSON, new_key("L1"), "L1", "e1").nonce != first.nonce
