"""The tamper-evident history: a SHA-256 hash chain per subject over the record log.

The recorder stamps each event it appends (:func:`stamp`): ``record.prev_hash`` is the
hash of the subject's previous recorded event, ``record.hash`` the SHA-256 of the
event's canonical JSON with ``record.hash`` left out. Editing any field, dropping an
event or reordering a subject's events therefore breaks the chain at that point, and
:func:`first_break` names the first such place. Personal data is hashed in its sealed
form, so erasing a lead's key (crypto-shredding) leaves its chain intact.

At-least-once delivery can append an event twice: the recorder crashed after
appending, before it stored the new chain head (the second copy links to the same
predecessor as the first), or a partner published the same event again later (the
second copy links to the subject's head then, like any new event). Either is a
redelivery, not a break, when the copy says exactly what the first said; the chain
goes on from the second copy, and replay folds only the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

import orjson

from schemas.envelope import Envelope, Recorded

E = TypeVar("E", bound=Envelope)


class ChainHead(NamedTuple):
    """Where a subject's chain ends so far: its last recorded event's hash and id.

    The recorder's bookkeeping (``streams/delivery/recorder.py``), never part of the
    record log: replay and :func:`first_break` rebuild the chain from the log itself.
    """

    hash: str
    event_id: str


def canonical_bytes(event: Envelope) -> bytes:
    """The bytes the hash covers: the event's JSON form, keys sorted, ``record.hash`` out
    (and ``source_kind`` when it is absent)."""
    body: dict[str, Any] = event.model_dump(mode="json")
    if body.get("source_kind") is None:
        body.pop("source_kind", None)  # events recorded before it existed keep their hash
    record = body.get("record")
    if record is not None:
        body["record"] = {k: v for k, v in record.items() if k != "hash"}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def digest(event: Envelope) -> str:
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


def stamp(event: E, prev_hash: str | None, recorded_at: datetime) -> E:
    """The event as appended to the record log, linked after ``prev_hash``."""
    unsigned = event.model_copy(
        update={"record": Recorded(recorded_at=recorded_at, prev_hash=prev_hash, hash="-")}
    )
    sealed = Recorded(recorded_at=recorded_at, prev_hash=prev_hash, hash=digest(unsigned))
    return event.model_copy(update={"record": sealed})


@dataclass(frozen=True, slots=True)
class Break:
    """The first place where the history is not what the recorder wrote."""

    position: int  # 0-based, in log order
    event_id: str
    subject: str
    reason: str


@dataclass(slots=True)
class _Link:
    event_id: str
    prev_hash: str | None
    hash: str


@dataclass(frozen=True, slots=True)
class _FirstCopy:
    prev_hash: str | None
    content: bytes  # the event without its record stamp


def _content(event: Envelope) -> bytes:
    """What two copies of one event must agree on: all but the record stamp and the
    sealed bytes of a person.

    A person sealed again after a crash that lost the new lead key is the same person
    under another key, so its nonce and ciphertext differ while the event does not;
    its clear profile, which the rules read, still has to match.
    """
    body: dict[str, Any] = event.model_dump(mode="json", exclude={"record"})
    person = (body.get("data") or {}).get("person")
    if isinstance(person, dict) and "ciphertext" in person:
        body["data"]["person"] = {"key_id": person.get("key_id")}
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def first_break(events: Iterable[Envelope]) -> tuple[int, Break | None]:
    """How many events were checked, and the first broken or missing link, if any."""
    heads: dict[str, _Link] = {}
    linked_after: dict[tuple[str, str], _FirstCopy] = {}  # (subject, event id) -> copy
    checked = 0
    for position, event in enumerate(events):
        checked += 1
        problem = _problem(event, heads, linked_after)
        if problem is not None:
            return checked, Break(position, event.event_id, event.subject, problem)
        assert event.record is not None  # _problem refused an unrecorded event
        heads[event.subject] = _Link(event.event_id, event.record.prev_hash, event.record.hash)
        key = (event.subject, event.event_id)
        if key not in linked_after:
            linked_after[key] = _FirstCopy(event.record.prev_hash, _content(event))
    return checked, None


def _problem(  # noqa: PLR0911 - one return per kind of break
    event: Envelope,
    heads: dict[str, _Link],
    linked_after: dict[tuple[str, str], _FirstCopy],
) -> str | None:
    record = event.record
    if record is None:
        return "not recorded by leadledger: no hash"
    if digest(event) != record.hash:
        return "content does not match its hash: the event was changed after it was recorded"
    head = heads.get(event.subject)
    expected = head.hash if head is not None else None
    first = linked_after.get((event.subject, event.event_id))
    if first is not None:
        if _content(event) != first.content:
            return "a second copy of an event that says something else than the first"
        if record.prev_hash in {first.prev_hash, expected}:
            return None  # a redelivery: after a crash, or published again later
        return "a second copy of an event, linked elsewhere than the first: reordered"
    if record.prev_hash != expected:
        if head is None:
            return (
                f"links to {record.prev_hash} but is the first event of {event.subject} "
                "in this history: earlier events are missing"
            )
        return (
            f"links to {record.prev_hash} but the previous event of {event.subject} "
            f"({head.event_id}) has hash {head.hash}: an event is missing or was reordered"
        )
    return None
