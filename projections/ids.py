"""Deterministic ids: the same cause always yields the same id (uuid5).

A retry or an auditor's replay then emits events with the ids the live system gave,
and subscribers dedupe on them.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("9c0d5f4e-3a51-4b59-8f53-5f2f3c1d7a10")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))
