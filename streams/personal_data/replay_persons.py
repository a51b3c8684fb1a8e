"""The ``person`` of a replayed lead: opened with the key topic's keys, or shown erased.

Replay from Kafka reads the record log, where persons are sealed, and the key topic
(``streams.readback.key_topic.read_keys``, unwrapped with the keyring): a lead whose key
is gone shows ``{"erased": true}``. A file
replay has no keys: a plaintext person (an old or hand-written log) shows as given,
a sealed one as ``{"sealed": true, "key_id": ...}``. The lead's state records an
erasure request itself, and then the person shows as erased whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

from projections.lead.state import LeadState
from projections.personal import person_view
from schemas.envelope import Envelope
from schemas.lead_events import LeadCaptured, SealedPerson
from streams.personal_data.sealing import LeadKey, person_of

E = TypeVar("E", bound=Envelope)


def replayed_person(
    state: LeadState, events: Iterable[Envelope], keys: Mapping[str, LeadKey] | None
) -> dict[str, Any]:
    captured = [e for e in events if isinstance(e, LeadCaptured) and e.subject == state.lead_id]
    erased = state.erasure is not None
    if not captured:
        return person_view(None, erased=erased)
    first = captured[0]
    if keys is None and isinstance(first.data.person, SealedPerson) and not erased:
        return {"sealed": True, "key_id": first.data.person.key_id}
    # A redelivered capture may have been sealed again under a new key: the copy the
    # key topic's key opens is the person.
    opened = (person_of(e, keys) for e in captured)
    return person_view(next((p for p in opened if p is not None), None), erased=erased)


class PersonCount:
    """Counts, while events stream past, the captured persons a key opens or not."""

    def __init__(self, keys: Mapping[str, LeadKey]) -> None:
        self._keys = keys
        self._opened: dict[str, bool] = {}

    def seen(self, events: Iterable[E]) -> Iterator[E]:
        for event in events:
            if isinstance(event, LeadCaptured) and isinstance(event.data.person, SealedPerson):
                opens = person_of(event, self._keys) is not None
                self._opened[event.subject] = self._opened.get(event.subject, False) or opens
            yield event

    @property
    def openable(self) -> int:
        return sum(self._opened.values())

    @property
    def erased(self) -> int:
        return len(self._opened) - self.openable
