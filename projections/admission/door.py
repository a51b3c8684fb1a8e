"""The HTTP door's decision on one request body (``POST /events``), before the broker.

A body is one event in the canonical JSON form (``schemas/jsonl.py``), or a JSON array
of them. The answer is every reason at once: 413 for a body over the bound, 400 for a
body that is not JSON or not events, 422 when any event is invalid (a field or the
encoded event over its size limit, ``schemas.limits``, included), 403 when every
event is valid but one may not come from this publisher (a ``source`` or another field
naming someone else, a type it may not publish). Otherwise the events go to the
partner's publish topic as they are, and the admission step judges them again there,
like anything else published on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from projections.admission.decide import Publisher, event_reasons
from schemas.codec import encode, validation_problem
from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.limits import event_too_large

MAX_BODY_BYTES = 1_000_000
"""Below the broker's default 1 MB message limit: one event always fits one message."""


@dataclass(frozen=True, slots=True)
class DoorAnswer:
    status: int  # 202 when ``events`` may be published
    errors: tuple[dict[str, Any], ...] = ()
    events: tuple[Envelope, ...] = field(default=())

    def body(self) -> dict[str, Any]:
        if self.status == 202:
            return {"accepted": [e.event_id for e in self.events]}
        return {"errors": list(self.errors)}


def _field_reasons(exc: ValidationError) -> list[str]:
    return [validation_problem(e) if e["loc"] else e["msg"] for e in exc.errors()]


def _items(raw: bytes) -> list[Any] | DoorAnswer:
    if len(raw) > MAX_BODY_BYTES:
        return DoorAnswer(413, ({"reasons": [f"body over {MAX_BODY_BYTES} bytes"]},))
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return DoorAnswer(400, ({"reasons": [f"body is not JSON: {exc}"]},))
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(item, dict) for item in items):
        why = "body must be one event (a JSON object) or a non-empty JSON array of them"
        return DoorAnswer(400, ({"reasons": [why]},))
    return items


def judge_body(raw: bytes, publisher: Publisher) -> DoorAnswer:
    items = _items(raw)
    if isinstance(items, DoorAnswer):
        return items
    errors, events, invalid = [], [], False
    for index, item in enumerate(items):
        event_id = item.get("event_id")
        try:
            event: Envelope = parse_event(item)
        except ValidationError as exc:
            invalid = True
            errors.append({"index": index, "event_id": event_id, "reasons": _field_reasons(exc)})
            continue
        if too_large := event_too_large(len(encode(event))):
            # Refused here rather than by the admission step after a 202.
            invalid = True
            errors.append({"index": index, "event_id": event_id, "reasons": [too_large]})
            continue
        if reasons := event_reasons(event, publisher):
            errors.append({"index": index, "event_id": event_id, "reasons": reasons})
        events.append(event)
    if errors:
        return DoorAnswer(422 if invalid else 403, tuple(errors))
    return DoorAnswer(202, events=tuple(events))
