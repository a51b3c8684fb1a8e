"""A lead key as the ``lead-keys`` table and its changelog (the key topic) hold it.

Written: ``{"key_id", "kek_id", "wrapped"}``, the key wrapped by the keyring's current
KEK (``keyring``); never the key itself. Read: that form, or the clear
``{"key_id", "key"}`` that deployments wrote before keys were wrapped. Those still
open, so old record logs keep their persons; ``leadledger keys rotate`` rewrites them
wrapped (``streams.rekey``).
"""

from __future__ import annotations

import base64
import json

from streams.personal_data.keyring import KeyringError, KeyWrapper, WrappedKey
from streams.personal_data.sealing import LeadKey


def key_record(key: LeadKey, lead_id: str, wrapper: KeyWrapper) -> bytes:
    wrapped = wrapper.wrap(key.secret, lead_id=lead_id, key_id=key.key_id)
    body = {
        "key_id": key.key_id,
        "kek_id": wrapped.kek_id,
        "wrapped": base64.b64encode(wrapped.blob).decode("ascii"),
    }
    return json.dumps(body).encode()


def open_key_record(raw: bytes, lead_id: str, wrapper: KeyWrapper) -> LeadKey:
    """The lead's key; ``KeyringError`` if it is wrapped by a KEK the keyring lacks."""
    try:
        body = json.loads(raw)
        key_id = body["key_id"]
        if "key" in body:  # written in clear, before keys were wrapped
            return LeadKey(key_id, base64.b64decode(body["key"]))
        wrapped = WrappedKey(body["kek_id"], base64.b64decode(body["wrapped"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyringError(f"the key record of {lead_id} is malformed: {exc!r}") from None
    return LeadKey(key_id, wrapper.unwrap(wrapped, lead_id=lead_id, key_id=key_id))


def kek_of(raw: bytes) -> str | None:
    """The KEK that wrapped a record's key; None for a key written in clear."""
    body = json.loads(raw)
    kek = body.get("kek_id")
    return str(kek) if kek is not None and "key" not in body else None
