"""The HTTP door: ``POST /events`` for partners without a Kafka client.

Behind the partner's token (``streams/web/access.py``): the body is judged by
``projections.admission.door`` (every reason, 4xx), then each event is published to the
partner's own topic, keyed by its subject, and the answer is 202 with the event ids
once the broker holds them all. From there the admission step treats them like any
other message on that topic. Posting an event again publishes it again: the fold
deduplicates by event id, so it is applied once and the answer is 202 both times. The
same event id with other content is another event under a used id: 409, with the
reason naming the first (``streams/web/event_reuse.py``), and nothing is published.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from faust.web import View

from projections.admission.decide import Publisher, unknown_publisher
from projections.admission.door import MAX_BODY_BYTES, DoorAnswer, judge_body
from schemas.codec import encode
from streams.broker.topics import publish_topic_name
from streams.runtime import Runtime
from streams.web.access import Gate
from streams.web.event_reuse import reuse_errors

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


async def _body(request: Any) -> bytes | None:
    """The request body, or None once it is over the bound (not read further)."""
    length = request.content_length
    if length is not None and length > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    while chunk := await request.content.read(CHUNK):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _publish(rt: Runtime, topic: str, answer: DoorAnswer) -> tuple[int, str] | None:
    """Publish the events and wait until the broker has them all; else why not."""
    try:
        encoded = [(e.subject.encode(), encode(e)) for e in answer.events]
    except Exception as exc:  # valid for pydantic, not for Avro (e.g. an int out of range)
        return 422, f"not encodable: {exc}"
    if not await rt.bus.exists(topic):
        return 503, f"the publish topic {topic} does not exist: the partner is not provisioned"
    try:
        sent = [await rt.bus.send(topic, key, value) for key, value in encoded]
        await asyncio.gather(*sent)
    except Exception as exc:
        log.warning("POST /events to %s: publishing failed: %s", topic, exc)
        return 503, f"not published: {exc}"
    return None


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    app = rt.app

    @app.page("/events")
    class Events(View):
        async def post(self, request: Any) -> Any:
            who, decision = gate.publisher(request)
            if not decision.allowed or who is None or who.partner_id is None:
                headers = {"WWW-Authenticate": 'Bearer realm="leadledger"'}
                return self.json(
                    {"errors": [{"reasons": [decision.reason]}]},
                    status=decision.status,
                    headers=headers if decision.status == 401 else None,
                )
            return await _door(rt, self, request, who.partner_id)


async def _door(rt: Runtime, view: Any, request: Any, partner_id: str) -> Any:
    entry = rt.registry.get(partner_id)
    if entry is None:
        return view.json({"errors": [{"reasons": [unknown_publisher(partner_id)]}]}, status=403)
    raw = await _body(request)
    if raw is None:
        why = f"body over {MAX_BODY_BYTES} bytes"
        log.warning("POST /events from %s: %s", partner_id, why)
        return view.json({"errors": [{"reasons": [why]}]}, status=413)
    publisher = Publisher(entry.partner_id, entry.kind)
    answer = judge_body(raw, publisher)
    if answer.status != 202:
        return view.json(answer.body(), status=answer.status)
    if reused := reuse_errors(rt, publisher, answer.events):
        return view.json({"errors": reused}, status=409)
    failed = await _publish(rt, publish_topic_name(rt.settings.namespace, partner_id), answer)
    if failed is not None:
        status, why = failed
        return view.json({"errors": [{"reasons": [why]}]}, status=status)
    return view.json(answer.body(), status=202)
