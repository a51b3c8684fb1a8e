"""Sealing personal data: AES-GCM with one key per lead (crypto-shredding).

A lead's ``data.person`` is encrypted with a 256-bit key of its own (``cryptography``'s
``AESGCM``, associated data = lead id + event id, so a sealed person cannot be moved
onto another lead or event). The 12-byte nonce is synthetic: an HMAC of the associated
data and the plaintext under a key derived from the lead's key, so sealing the same
person of the same event again (a redelivery) gives the same bytes, and a nonce
repeats only together with its plaintext, which reveals nothing new.

The keys live in the ``lead-keys`` table, whose changelog is the compacted key topic,
wrapped by a key-encryption key kept outside Kafka (``keyring``, ``key_records``), so
the topic alone opens nothing. Deleting a lead's key (a tombstone) leaves every copy
of its sealed person unreadable, on every topic, at once.

Beside the sealed person the event keeps its clear ``profile``
(``projections.personal.profile_of``): the attributes the rules decide on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from projections.personal import profile_of
from schemas.envelope import Envelope
from schemas.lead_events import LeadCaptured, Person, SealedPerson

NONCE_BYTES = 12
KEY_VERSION = 1


@dataclass(frozen=True, slots=True)
class LeadKey:
    key_id: str  # "<lead id>/v<version>": which key sealed a person
    secret: bytes  # 32 bytes; stored only wrapped (``key_records``)


def new_key(lead_id: str) -> LeadKey:
    return LeadKey(f"{lead_id}/v{KEY_VERSION}", AESGCM.generate_key(bit_length=256))


def _associated(lead_id: str, event_id: str) -> bytes:
    return json.dumps([lead_id, event_id]).encode()


def _synthetic_nonce(key: LeadKey, associated: bytes, plaintext: bytes) -> bytes:
    # A separate key for the nonce, so the AES key is never also an HMAC key.
    nonce_key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"leadledger nonce").derive(
        key.secret
    )
    message = len(associated).to_bytes(4, "big") + associated + plaintext
    return hmac.new(nonce_key, message, hashlib.sha256).digest()[:NONCE_BYTES]


def seal_person(person: Person, key: LeadKey, lead_id: str, event_id: str) -> SealedPerson:
    plaintext = person.model_dump_json(exclude_none=True).encode()
    associated = _associated(lead_id, event_id)
    nonce = _synthetic_nonce(key, associated, plaintext)
    ciphertext = AESGCM(key.secret).encrypt(nonce, plaintext, associated)
    return SealedPerson(
        key_id=key.key_id,
        nonce=base64.b64encode(nonce).decode("ascii"),
        ciphertext=base64.b64encode(ciphertext).decode("ascii"),
    )


def open_person(
    sealed: SealedPerson, key: LeadKey | None, lead_id: str, event_id: str
) -> Person | None:
    """The plaintext person, or None when the key is gone (erased) or is not its key."""
    if key is None or key.key_id != sealed.key_id:
        return None
    try:
        plaintext = AESGCM(key.secret).decrypt(
            base64.b64decode(sealed.nonce),
            base64.b64decode(sealed.ciphertext),
            _associated(lead_id, event_id),
        )
    except (InvalidTag, ValueError):
        return None
    return Person.model_validate_json(plaintext)


def needs_sealing(event: Envelope) -> bool:
    return isinstance(event, LeadCaptured) and isinstance(event.data.person, Person)


def seal_event(event: Envelope, key_for: Callable[[str], LeadKey]) -> Envelope:
    """The event with its person sealed and its profile in clear; others unchanged.

    ``key_for(lead_id)`` returns the lead's key, creating and storing it on first need.
    """
    if not isinstance(event, LeadCaptured) or not isinstance(event.data.person, Person):
        return event
    person = event.data.person
    sealed = seal_person(person, key_for(event.subject), event.subject, event.event_id)
    data = event.data.model_copy(update={"person": sealed, "profile": profile_of(person)})
    return event.model_copy(update={"data": data})


def person_of(event: LeadCaptured, keys: Mapping[str, LeadKey] | None) -> Person | None:
    """The captured person in clear: as given, or unsealed with the lead's key.

    ``keys`` None means no key source at all (a file replay); a sealed person then
    stays sealed, which the caller shows as such.
    """
    person = event.data.person
    if isinstance(person, Person):
        return person
    key = keys.get(event.subject) if keys is not None else None
    return open_person(person, key, event.subject, event.event_id)
