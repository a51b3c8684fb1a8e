"""What ``GET /leads/{id}`` answers for a replayed lead: its view and its person.

The live view opens the sealed person with the lead's key; a test log carries the
person in clear, so the expected person is the log's own (or erased, after a request).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.lead.state import LeadState, to_view
from schemas.envelope import Envelope
from streams.personal_data.replay_persons import replayed_person


def lead_view(state: LeadState, events: Iterable[Envelope]) -> dict[str, Any]:
    return to_view(state) | {"person": replayed_person(state, list(events), None)}
