"""Deterministic ids: the same cause always yields the same id (uuid5).

A retry or an auditor's replay then emits events with the ids the live system gave,
and subscribers dedupe on them.
"""

from __future__ import annotations

import hashlib
import uuid

NAMESPACE = uuid.UUID("9c0d5f4e-3a51-4b59-8f53-5f2f3c1d7a10")
_NAMESPACE_BYTES = NAMESPACE.bytes
_sha1 = hashlib.sha1


def derived_id(*parts: str) -> str:
    """``str(uuid.uuid5(NAMESPACE, "|".join(parts)))``, built from the SHA-1 digest
    directly: ``uuid.uuid5`` goes through a 128-bit integer and was a tenth of a
    replay's time (``tests/projections/test_derived_id.py`` checks it is the same string)."""
    digest = bytearray(_sha1(_NAMESPACE_BYTES + "|".join(parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
