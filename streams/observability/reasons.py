"""A rejection's reasons reduced to one of a few classes, for a metric label.

A reason is free text naming the offending field, value, id or size: as a label it
would make a new time series for nearly every rejection. The class is what an operator
alerts on; the text stays on the rejections topic. Where the caller knows the stage
(the agents do: decode, envelope, fold), it says so; the phrases below sort the rest,
and a reason none of them matches falls to the caller's ``fallback``.
"""

from __future__ import annotations

from collections.abc import Iterable

UNDECODABLE = "undecodable"  # not an event of the contract at all: bytes, schema, body
OVERSIZED = "oversized"  # over a size limit: the event's bytes, a field's characters
OUT_OF_RANGE = "out_of_range"  # a time outside the contract's fixed range
CONTRACT = "contract"  # decodes, but a field breaks another rule of the contract
ENVELOPE = "envelope"  # not keyed by its subject, or a type not taken on this topic
IDENTITY = "identity"  # names a publisher other than the authenticated one
NOT_PERMITTED = "not_permitted"  # a type or subject this publisher may not publish
REUSED_ID = "reused_id"  # an event id already applied to other content
FOLD = "fold"  # the aggregate's rules refused it (transition, unknown lead, share ...)
INTERNAL = "internal"  # the worker failed handling it
OTHER = "other"

REASON_CLASSES = (
    UNDECODABLE,
    OVERSIZED,
    OUT_OF_RANGE,
    CONTRACT,
    ENVELOPE,
    IDENTITY,
    NOT_PERMITTED,
    REUSED_ID,
    FOLD,
    INTERNAL,
    OTHER,
)

# First match wins: "internal error: ... over the contract's limit" is internal.
_PHRASES: tuple[tuple[str, str], ...] = (
    ("internal error:", INTERNAL),
    ("was already used by another event", REUSED_ID),  # projections/idempotency.py
    ("bytes per event", OVERSIZED),  # schemas/limits.py: event_too_large
    ("over the contract's limit of", OVERSIZED),  # schemas/limits.py: a field
    ("too large to forward once stamped", OVERSIZED),  # streams/admission/step.py
    ("outside the contract's time range", OUT_OF_RANGE),  # schemas/times.py
    ("not Avro single-object encoding", UNDECODABLE),  # schemas/codec.py
    ("unknown schema fingerprint", UNDECODABLE),
    ("body does not match its schema", UNDECODABLE),
    ("trailing bytes after the body", UNDECODABLE),
    ("(authenticated)", IDENTITY),  # projections/admission/identity.py
    ("unknown publisher", IDENTITY),  # projections/admission/decide.py
    ("the system stamps it", IDENTITY),
    ("is not the event subject", ENVELOPE),  # the agents' and admission's key check
    ("not accepted here", ENVELOPE),
    ("may not publish", NOT_PERMITTED),  # projections/admission/table.py
    ("no partner publishes it", NOT_PERMITTED),
)


def classify(reasons: Iterable[str], fallback: str = OTHER) -> str:
    """The class of the first reason a phrase recognises, else ``fallback``."""
    for reason in reasons:
        for phrase, reason_class in _PHRASES:
            if phrase in reason:
                return reason_class
    return fallback


def of_decode_error(text: str) -> str:
    """The class of a ``schemas.codec.DecodeError``: what is not recognised decoded as
    far as the contract's validation, so it broke some other rule of the contract."""
    return classify([text], fallback=CONTRACT)
