"""The ``person`` of a replayed lead: opened with the key topic's keys, or shown erased.

Replay from Kafka reads the record log, where persons are sealed, and the key topic
(``logsource.read_keys``): a lead whose key is gone shows ``{"erased": true}``. A file
replay has no keys: a plaintext person (an old or hand-written log) shows as given,
a sealed one as ``{"sealed": true, "key_id": ...}``. The lead's state records an
erasure request itself, and then the person shows as erased whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from projections.lead_state import LeadState
from projections.personal import person_view
from schemas.envelope import Envelope
from schemas.lead_events import LeadCaptured, SealedPerson
from streams.sealing import LeadKey, person_of


def replayed_person(
    state: LeadState, events: Iterable[Envelope], keys: Mapping[str, LeadKey] | None
) -> dict[str, Any]:
    captured = next(
        (e for e in events if isinstance(e, LeadCaptured) and e.subject == state.lead_id), None
    )
    erased = state.erasure is not None
    if captured is None:
        return person_view(None, erased=erased)
    if keys is None and isinstance(captured.data.person, SealedPerson) and not erased:
        return {"sealed": True, "key_id": captured.data.person.key_id}
    return person_view(person_of(captured, keys), erased=erased)
