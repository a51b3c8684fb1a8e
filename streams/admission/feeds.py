"""One feed per partner: what is addressed to it, copied to ``<namespace>.out.<partner>``.

Read from the topics the worker writes (escalations, notifications, rejections) and
copied, unchanged, to the feed of each registered partner the message is addressed to
(a partner's activities are copied by the partner agent, :func:`copy_activity`):

- ``EscalationRaised`` and ``NotificationRaised``: every partner in ``notify`` (the
  sharing, erasure, agreement and dispute rules name the partners themselves);
- ``CommissionAccrued``: its payer and its payee;
- ``PartnerActivity``: its subject, the partner it happened to. The partner agent, which
  folds them, copies each before it is acknowledged: a second reader of the
  partner-activity topic in the worker would share the commit guard's ledger of its
  partitions (``streams/delivery/commit_guard.py`` notes every fetch of a guarded
  topic in the process, whichever consumer made it);
- ``EventRejected`` of an event the admission step forwarded (it carries
  ``source_kind``) that a fold then refused: its ``source``. Admission's own refusals
  are sent to the feed by the admission step.

Anything else, and any name that is not a registered partner (``marketing``, a rep),
goes to no feed: a partner sees only what names it.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable
from typing import Any

from aiokafka import ConsumerRecord

from schemas.codec import DecodeError, decode
from schemas.envelope import Envelope
from schemas.partner_system_events import CommissionAccrued, PartnerActivity
from schemas.system_events import EscalationRaised, EventRejected, NotificationRaised
from streams.admission.bus import Bus
from streams.broker.topics import (
    ESCALATIONS,
    NOTIFICATIONS,
    REJECTIONS,
    TopicSpec,
    feed_topic_name,
    partner_of_topic,
    topic_name,
)
from streams.runtime import Runtime

log = logging.getLogger(__name__)
SOURCES: tuple[TopicSpec, ...] = (ESCALATIONS, NOTIFICATIONS, REJECTIONS)
"""Topics no agent reads: the commit guard does not watch them."""
RETRY_SECONDS = 1.0


def addressed_to(event: Envelope, namespace: str) -> set[str]:
    """Every partner name ``event`` is addressed to (registered or not)."""
    if isinstance(event, EscalationRaised | NotificationRaised):
        return set(event.data.notify)
    if isinstance(event, CommissionAccrued):
        return {event.data.payer, event.data.payee}
    if isinstance(event, PartnerActivity):
        return {event.subject}
    if isinstance(event, EventRejected):
        return _refused_publisher(event, namespace)
    return set()


def _refused_publisher(rejection: EventRejected, namespace: str) -> set[str]:
    data = rejection.data
    if data.topic is None or partner_of_topic(data.topic, namespace) is not None:
        return set()  # the admission step's own refusal: already on the feed
    if data.original is None:
        return set()
    try:
        refused = decode(base64.b64decode(data.original))
    except (DecodeError, ValueError):
        return set()
    return {refused.source} if refused.source_kind is not None else set()


async def handle(
    rt: Runtime, bus: Bus, record: ConsumerRecord[bytes, bytes]
) -> list[Awaitable[Any]]:
    try:
        event = decode(record.value or b"")
    except DecodeError:
        return []  # not ours to judge here: the writer of these topics is the worker
    sends = []
    namespace = rt.settings.namespace
    for partner in sorted(addressed_to(event, namespace)):
        if rt.registry.get(partner) is None:
            continue
        feed = feed_topic_name(namespace, partner)
        if not await bus.exists(feed):
            log.warning("no feed %s: %s %s not copied", feed, event.type, event.event_id)
            continue
        sends.append(await bus.send(feed, record.key or event.subject.encode(), record.value))
        rt.counters.feed_copies += 1
    return sends


async def copy_activity(rt: Runtime, key: bytes | None, value: bytes | None) -> None:
    """A folded ``PartnerActivity`` to its partner's feed, once the broker has it.

    Called by the partner agent before the message is acknowledged, so the copy is
    made at least once; a failed send is tried again (a stopping worker cancels this,
    and the message is read again by the partition's next owner).
    """
    if rt.registry is None or rt.bus is None or value is None:
        return
    try:
        event = decode(value)
    except DecodeError:
        return
    partner = event.subject
    if not isinstance(event, PartnerActivity) or rt.registry.get(partner) is None:
        return
    feed = feed_topic_name(rt.settings.namespace, partner)
    while True:
        try:
            if not await rt.bus.exists(feed):
                log.warning("no feed %s: activity %s not copied", feed, event.event_id)
                return
            await (await rt.bus.send(feed, key or partner.encode(), value))
        except Exception:
            log.warning(
                "copying %s to %s failed; trying again", event.event_id, feed, exc_info=True
            )
            await asyncio.sleep(RETRY_SECONDS)
        else:
            rt.counters.feed_copies += 1
            return


def source_topics(rt: Runtime) -> list[str]:
    return [topic_name(spec, rt.settings.namespace) for spec in SOURCES]
