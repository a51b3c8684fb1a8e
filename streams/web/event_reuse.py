"""The HTTP door's early answer to an event id reused with other content: 409.

The fold is the authority (``projections/idempotency.py``): it refuses such an event
wherever it comes from, and the refusal reaches the rejections topic and the
publisher's feed. The door, which answers while the publisher waits, looks first: if
the aggregate this worker holds has applied the id with other content, it answers 409
with the fold's reason and publishes nothing. It compares what the fold would compare:
the event as admission stamps it (``source`` and ``source_kind`` from the publisher)
and, for a capture, its person sealed with the lead's key (deterministic under that
key). A worker that does not hold the aggregate's partition, or a lead whose key is
gone (erased), cannot tell: the door publishes, as before, and the fold decides.
"""

from __future__ import annotations

import logging
from typing import Any

from projections.admission.decide import Publisher
from projections.admission.table import lane_of
from projections.agreement.codec import agreement_from_json
from projections.dispute.state import dispute_from_json
from projections.idempotency import reuse_problem
from projections.lead.state import state_from_json
from schemas.envelope import Envelope
from streams.agents.agreement import DISPUTE_TYPES
from streams.personal_data.sealing import needs_sealing, seal_event
from streams.personal_data.worker import current_key
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def reuse_errors(
    rt: Runtime, publisher: Publisher, events: tuple[Envelope, ...]
) -> list[dict[str, Any]]:
    """One error per event whose id the worker knows applied with other content."""
    errors = []
    for index, event in enumerate(events):
        stamped = event.model_copy(
            update={"source": publisher.partner_id, "source_kind": publisher.kind, "record": None}
        )
        try:
            problem = _problem(rt, stamped)
        except Exception as exc:  # the door cannot tell; the fold still decides
            log.warning("POST /events: could not compare %s: %s", event.event_id, exc)
            problem = None
        if problem is not None:
            errors.append({"index": index, "event_id": event.event_id, "reasons": [problem]})
    return errors


def _problem(rt: Runtime, event: Envelope) -> str | None:
    if lane_of(event.type) == "leads":
        return _lead_problem(rt, event)
    if isinstance(event, DISPUTE_TYPES):
        raw = rt.disputes.get(event.subject)
        dispute = dispute_from_json(raw) if raw else None
        return reuse_problem(event, dispute.digests) if dispute is not None else None
    raw = rt.agreements.get(event.subject)
    agreement = agreement_from_json(raw) if raw else None
    return reuse_problem(event, agreement.digests) if agreement is not None else None


def _lead_problem(rt: Runtime, event: Envelope) -> str | None:
    raw = rt.leads.get(event.subject)
    state = state_from_json(raw) if raw else None
    if state is None or event.event_id not in state.digests:
        return None
    if needs_sealing(event):
        key = current_key(rt, event.subject)
        if key is None or state.erasure is not None:
            return None  # the first person is unreadable: nothing to compare with
        event = seal_event(event, lambda _lead: key)
    return reuse_problem(event, state.digests)
