"""The admission step: every partner's publish topic in, the internal topics out.

For each message of ``<namespace>.in.<partner>`` it asks the pure decision
(``projections.admission.decide``) with the publisher the topic names, looked up in the
partner registry (reread when the file changes). An admitted event goes, stamped with
``source`` and ``source_kind``, to the internal topic the worker folds (``leads`` or
``agreements``), keyed by its subject: the partition order of the publish topic is kept
per subject, because one producer sends in order with idempotence. A refusal is an
``EventRejected`` with every reason and the original bytes (a plaintext person sealed
under a key nobody keeps), sent to the rejections topic and to the partner's feed.

Sizes are checked here, in front of intake and the record log: a message over the
contract's limit per event or per field (``schemas.limits``) is refused with a reason
naming the limit and its size, and a refusal keeps an original too large for a message
as its size, SHA-256 and a prefix (``streams/delivery/rejections.py``), so it fits.

Counted in ``/stats``: ``admission_received = admission_admitted + admission_refused``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from aiokafka import ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError

from projections.admission.decide import Admitted, Publisher, Refusal, admit_message
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.admission.bus import Bus
from streams.broker.topics import (
    AGREEMENTS,
    LEADS,
    REJECTIONS,
    feed_topic_name,
    partner_of_topic,
    publish_topic_pattern,
    topic_name,
)
from streams.delivery.rejections import rejection_for
from streams.identity.registry import Partner
from streams.observability import instruments, reasons
from streams.personal_data.sealing import new_key, seal_event
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def publisher_of(entry: Partner | None) -> Publisher | None:
    return Publisher(entry.partner_id, entry.kind) if entry is not None else None


def sealed_original(value: bytes | None, event: Envelope | None) -> bytes | None:
    """What a refusal keeps: the bytes, a plaintext person sealed with a one-off key.

    The lead's key is not here (admission runs before the lead agent), so the person is
    unreadable at once, as after an erasure; a refusal never keeps a plaintext person.
    """
    if event is None:
        return value  # undecodable: nothing in it can be told apart as personal data
    try:
        sealed = seal_event(event, new_key)
    except Exception:
        log.exception("could not seal the person of refused event %s", event.event_id)
        return None  # nothing rather than the plaintext
    return value if sealed is event else encode(sealed)


async def handle(
    rt: Runtime, bus: Bus, record: ConsumerRecord[bytes, bytes]
) -> list[Awaitable[Any]]:
    """Decide one message and send what follows; the futures say when the broker has it."""
    rt.counters.admission_received += 1
    namespace = rt.settings.namespace
    partner = partner_of_topic(record.topic, namespace) or record.topic
    publisher = publisher_of(rt.registry.get(partner))
    try:
        decided: Admitted | Refusal = admit_message(record.value, record.key, publisher, partner)
    except Exception as exc:  # the core never raises; if it did, the message is refused
        log.exception("admission failed on %s:%s:%s", record.topic, record.partition, record.offset)
        decided = Refusal((f"internal error: {type(exc).__name__}: {exc}",))
    if isinstance(decided, Admitted):
        try:
            sent = await _forward(bus, namespace, decided)
        except MessageSizeTooLargeError as exc:
            # Stamped, it no longer fits a message: refused, never retried for ever.
            decided = Refusal((f"too large to forward once stamped: {exc}",), decided.event)
        else:
            rt.counters.admission_admitted += 1
            return [sent]
    rt.counters.admission_refused += 1
    # The partner label is the registered owner of the publish topic, never a name the
    # message claims: a bounded set, however many names a publisher makes up.
    instruments.ADMISSION_REFUSED.labels(
        publisher.partner_id if publisher is not None else "unregistered",
        reasons.classify(decided.reasons),
    ).inc()
    return await _refuse(rt, bus, record, publisher=publisher, decided=decided)


async def _forward(bus: Bus, namespace: str, admitted: Admitted) -> Awaitable[Any]:
    lane = LEADS if admitted.lane == "leads" else AGREEMENTS
    event = admitted.event
    return await bus.send(topic_name(lane, namespace), event.subject.encode(), encode(event))


async def _refuse(
    rt: Runtime,
    bus: Bus,
    record: ConsumerRecord[bytes, bytes],
    *,
    publisher: Publisher | None,
    decided: Refusal,
) -> list[Awaitable[Any]]:
    """To the rejections topic, and to the feed of a registered publisher."""
    namespace = rt.settings.namespace
    partner = partner_of_topic(record.topic, namespace) or record.topic
    reasons = list(decided.reasons)
    # rejection_for keeps an original too large for a message as its size, SHA-256
    # and a prefix: the refusal always fits the rejections topic and the feed.
    original = sealed_original(record.value, decided.event)
    rejection = rejection_for(
        reasons=reasons,
        original=original,
        key=record.key,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        event=decided.event,
    )
    value, key = encode(rejection), rejection.subject.encode()
    sends = [await bus.send(topic_name(REJECTIONS, namespace), key, value)]
    feed = feed_topic_name(namespace, partner)
    if publisher is not None and await bus.exists(feed):
        sends.append(await bus.send(feed, key, value))
    elif publisher is not None:
        log.warning("no feed %s for %s: its refusal is on the rejections topic only", feed, partner)
    return sends


def pattern(rt: Runtime) -> str:
    return publish_topic_pattern(rt.settings.namespace)
