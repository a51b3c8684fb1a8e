"""One message, or one parsed event, from an authenticated publisher: admitted or refused.

Pure: the publisher (from the topic or the token, looked up in the registry) and the
message are the only inputs. Every reason is collected, so a partner learns at once all
it must fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.admission.identity import identity_reasons
from projections.admission.table import Kind, Lane, lane_of, type_problem
from schemas.codec import DecodeError, decode_incoming
from schemas.envelope import Envelope


@dataclass(frozen=True, slots=True)
class Publisher:
    """Who published, as the system authenticated it: never read from the payload."""

    partner_id: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class Admitted:
    event: Envelope  # ``source`` and ``source_kind`` stamped from the publisher
    lane: Lane


@dataclass(frozen=True, slots=True)
class Refusal:
    reasons: tuple[str, ...]
    event: Envelope | None = None  # the event as decoded, when it decoded


def unknown_publisher(partner_id: str) -> str:
    return f"unknown publisher {partner_id}: no partner {partner_id} is registered"


def event_reasons(event: Envelope, publisher: Publisher) -> list[str]:
    """Every reason ``publisher`` may not publish ``event`` (an empty list admits it)."""
    reasons = []
    if problem := type_problem(event.type, publisher.partner_id, publisher.kind):
        reasons.append(problem)
    reasons += identity_reasons(event, publisher.partner_id)
    if event.source_kind not in (None, publisher.kind):
        reasons.append(
            f"source_kind says {event.source_kind}, but {publisher.partner_id} is "
            f"registered as {publisher.kind}: the system stamps it"
        )
    return reasons


def admit_event(
    event: Envelope, publisher: Publisher | None, claimed_by: str
) -> Admitted | Refusal:
    """A parsed event from ``claimed_by`` (its topic's or its token's partner), whose
    registry entry is ``publisher`` (None: not registered)."""
    if publisher is None:
        return Refusal((unknown_publisher(claimed_by),), event)
    if reasons := event_reasons(event, publisher):
        return Refusal(tuple(reasons), event)
    stamped = event.model_copy(
        update={"source": publisher.partner_id, "source_kind": publisher.kind, "record": None}
    )
    return Admitted(stamped, lane_of(event.type))


def admit_message(
    value: bytes | None, key: bytes | None, publisher: Publisher | None, claimed_by: str
) -> Admitted | Refusal:
    """One message of a publish topic: decoded (within the contract's size limits),
    keyed by its subject, then judged."""
    try:
        event: Envelope = decode_incoming(value or b"")
    except DecodeError as exc:
        reasons = [str(exc)]
        if publisher is None:
            reasons.insert(0, unknown_publisher(claimed_by))
        return Refusal(tuple(reasons))
    if key is None or key.decode("utf-8", "replace") != event.subject:
        shown = key.decode("utf-8", "replace") if key is not None else None
        keyed = (
            f"message key {shown!r} is not the event subject {event.subject!r}; "
            "events must be keyed by subject to keep one subject's events in order"
        )
        decided = admit_event(event, publisher, claimed_by)
        earlier = decided.reasons if isinstance(decided, Refusal) else ()
        return Refusal((*earlier, keyed), event)
    return admit_event(event, publisher, claimed_by)
