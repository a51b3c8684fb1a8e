"""The worker's personal-data handling: seal on intake, open for views, shred on erasure.

Plaintext personal data exists only on the intake topic (until the janitor deletes
it) and in memory while a message is handled. What the worker writes anywhere else
carries the person sealed with the lead's key: the record log, a rejection's
``original``, the ``lead-persons`` table that the views read. The key itself goes to
the key topic only wrapped by the keyring's KEK (``key_records``). Erasure deletes the key
(a tombstone on the compacted key topic) and the ``lead-persons`` entry; every sealed
copy is unreadable from then on.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from projections.personal import person_view
from schemas.codec import DecodeError, decode, encode
from schemas.envelope import Envelope
from schemas.lead_events import LeadCaptured, SealedPerson
from streams.personal_data.key_records import key_record, open_key_record
from streams.personal_data.keyring import KeyringError
from streams.personal_data.sealing import LeadKey, new_key, open_person, seal_event
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def current_key(rt: Runtime, lead_id: str) -> LeadKey | None:
    """The lead's key, unwrapped with the keyring; None if it has none (or was erased).

    ``KeyringError`` when the key is there but does not open (its KEK is not in the
    keyring): never None then, or ``seal`` would replace a live key with a new one.
    """
    raw = rt.lead_keys.get(lead_id)
    return open_key_record(raw, lead_id, rt.keyring) if raw else None


async def seal(rt: Runtime, event: Envelope, *, own_lead: bool = True) -> Envelope:
    """The event as it may be written anywhere: its person sealed with the lead's key.

    The lead agent makes a new lead's key first and waits until it landed before it
    seals and sends anything under it (:func:`make_key_if_missing`); under a surviving
    key the seal is deterministic, so a redelivered capture recorded a second time is
    byte for byte the first. (Before that wait, a kill -9 between a sealed copy and its
    key made the redelivery seal again under a new key: a second copy with other
    sealed bytes, which replay read as the event id reused with other content.) Here a
    key is still made when none is there, for the callers that seal one event alone.

    ``own_lead`` False (a lead event that came in on another topic or under another
    key, so this partition does not hold the lead's key): sealed with a one-off key
    that is never stored, so the person is unreadable at once, as after an erasure.
    """

    def key_for(lead_id: str) -> LeadKey:
        if not own_lead:
            return new_key(lead_id)
        return current_key(rt, lead_id) or _made_key(rt, lead_id)

    return seal_event(event, key_for)


def _made_key(rt: Runtime, lead_id: str) -> LeadKey:
    key = new_key(lead_id)
    rt.lead_keys[lead_id] = key_record(key, lead_id, rt.keyring)
    return key


def make_key_if_missing(rt: Runtime, lead_id: str) -> bool:
    """Give the lead a key now if it has none (True if one was made), so the caller can
    wait until the key landed before anything sealed under it is sent.

    A record-log copy sealed under a key whose write had not landed (a kill -9
    between the two) was sealed again under a new key on redelivery and recorded a
    second time with other sealed bytes; replay then read the second copy as the same
    event id with other content (the crash scenario at 1,000 events/s, seed 305295:
    117 leads). With the key landed first, a second copy is byte for byte the first."""
    if current_key(rt, lead_id) is not None:
        return False
    _made_key(rt, lead_id)
    return True


async def sealed_original(
    rt: Runtime, value: bytes | None, *, own_lead: bool = True
) -> bytes | None:
    """What a rejection keeps of a message: its bytes, with a plaintext person sealed.

    Undecodable bytes are kept as they are (nothing in them can be told apart as
    personal data). If sealing fails, nothing is kept rather than the plaintext.
    """
    try:
        event = decode(value or b"")
    except DecodeError:
        return value
    try:
        sealed = await seal(rt, event, own_lead=own_lead)
    except Exception:
        log.exception("could not seal the person of rejected event %s", event.event_id)
        return None
    return value if sealed is event else encode(sealed)


def remember_person(rt: Runtime, captured: LeadCaptured) -> None:
    """Keep the accepted capture's sealed person for the views (``lead-persons``)."""
    if isinstance(captured.data.person, SealedPerson):
        body = {"event_id": captured.event_id, "sealed": captured.data.person.model_dump()}
        rt.lead_persons[captured.subject] = json.dumps(body).encode()


def shred(rt: Runtime, lead_id: str) -> None:
    """Crypto-shredding: delete the lead's key (a tombstone) and its view copy."""
    for table in (rt.lead_keys, rt.lead_persons):
        if lead_id in table:
            del table[lead_id]


def person_in_view(rt: Runtime, lead_id: str, *, erased: bool) -> dict[str, Any]:
    """The ``person`` of ``GET /leads/{id}``: decrypted, or ``{"erased": true}``."""
    raw = rt.lead_persons.get(lead_id)
    if raw is None:
        return person_view(None)
    body = json.loads(raw)
    sealed = SealedPerson.model_validate(body["sealed"])
    try:
        key = current_key(rt, lead_id)
    except KeyringError as exc:
        log.exception("cannot open the person of %s", lead_id)
        return {"unavailable": str(exc)}
    return person_view(open_person(sealed, key, lead_id, body["event_id"]), erased=erased)
