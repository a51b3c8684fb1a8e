"""A refusal's reason, as a kind a dashboard can count.

Share-admission reasons name the lead, the agreement and figures
(``score 12 is below the minimum 60``), so counting the texts as they are gives one row
per lead. Each pattern below keeps the reason's meaning and drops what varies; a reason
no pattern knows is counted under its own text, so nothing is hidden.
"""

from __future__ import annotations

import re

KINDS: tuple[tuple[str, str], ...] = (
    (r"was erased", "lead erased"),
    (r"was refused lead .* before", "refused to that partner before"),
    (r"cannot share a lead with itself", "shared with itself"),
    (r"is already with", "already with that partner"),
    (r"unknown agreement", "unknown agreement"),
    (r"is \w+ at .*, not ACTIVE", "agreement not active"),
    (r"is not a party to the agreement", "not a party"),
    (r"has role \w+ in the agreement", "wrong role"),
    (r"require consent", "no sharing consent"),
    (r"NDA is required", "NDA not signed"),
    (r"^budget ", "budget below minimum"),
    (r"^industry ", "industry not allowed"),
    (r"^job title ", "job role not allowed"),
    (r"^readiness ", "readiness not allowed"),
    (r"required fields missing", "required fields missing"),
    (r"^score .* below the minimum", "score below minimum"),
    (r"exclusivity", "exclusivity"),
    (r"does not hold lead", "sender does not hold the lead"),
    (r"may not share on behalf of", "shared on another's behalf"),
)
_COMPILED = tuple((re.compile(pattern), kind) for pattern, kind in KINDS)


def reason_kind(reason: str) -> str:
    for pattern, kind in _COMPILED:
        if pattern.search(reason):
            return kind
    return reason
