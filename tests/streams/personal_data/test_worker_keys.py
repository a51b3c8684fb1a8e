"""The worker writes only wrapped keys, opens clear ones from before, and never
replaces a key its keyring cannot open (that would lose the lead's person)."""

from __future__ import annotations

import base64
import json

import pytest

from schemas.lead_events import LeadCaptured, SealedPerson
from streams.personal_data.key_records import kek_of
from streams.personal_data.keyring import Keks, KeyringError
from streams.personal_data.sealing import new_key, open_person
from streams.personal_data.worker import current_key, person_in_view, remember_person, seal
from tests.streams.agents.test_clock_send_order import Topic
from tests.streams.agents.test_lead_send_order import runtime
from tests.streams.personal_data.test_sealing import PERSON, _captured


async def test_the_key_table_holds_the_key_wrapped_and_the_view_opens_it() -> None:
    rt = runtime(Topic())
    sealed = await seal(rt, _captured("L1"))
    assert isinstance(sealed, LeadCaptured)
    raw = rt.lead_keys["L1"]
    assert kek_of(raw) == rt.keyring.current
    key = current_key(rt, "L1")
    assert key is not None
    assert key.secret not in raw
    assert base64.b64encode(key.secret) not in raw
    remember_person(rt, sealed)
    assert person_in_view(rt, "L1", erased=False)["email"] == PERSON.email


async def test_a_clear_key_from_before_wrapping_is_used_as_it_is() -> None:
    rt, key = runtime(Topic()), new_key("L-old")
    clear = json.dumps({"key_id": key.key_id, "key": base64.b64encode(key.secret).decode()})
    rt.lead_keys["L-old"] = clear.encode()
    captured = _captured("L-old")
    sealed = await seal(rt, captured)
    assert isinstance(sealed, LeadCaptured)
    assert isinstance(sealed.data.person, SealedPerson)
    assert open_person(sealed.data.person, key, "L-old", captured.event_id) == PERSON
    assert rt.lead_keys["L-old"] == clear.encode()  # rewritten wrapped by `keys rotate`


async def test_a_key_the_keyring_cannot_open_is_an_error_never_a_new_key() -> None:
    rt = runtime(Topic())
    sealed = await seal(rt, _captured("L1"))
    assert isinstance(sealed, LeadCaptured)
    remember_person(rt, sealed)
    stored = rt.lead_keys["L1"]
    rt.keyring = Keks.generate()  # a worker started with another keyring
    with pytest.raises(KeyringError, match="not held"):
        await seal(rt, _captured("L1").model_copy(update={"event_id": "again"}))
    assert rt.lead_keys["L1"] == stored
    assert "unavailable" in person_in_view(rt, "L1", erased=False)
