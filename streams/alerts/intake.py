"""Reads the escalations and notifications topics and queues each alert in the outbox.

Runs in ``streams/admission/relay.py``'s loop: a fetched batch's offsets are committed
only after its handling returned, and the handling commits the outbox transaction first.
So an alert whose offset is committed is in the outbox, and an alert read twice (a crash
before the commit, a second copy of it on the topic) is queued once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import ConsumerRecord

from projections.alerts import webhook
from projections.alerts.routing import AlertsPolicy, alert_id, endpoints_for
from schemas.codec import DecodeError, decode
from schemas.system_events import EscalationRaised, NotificationRaised
from streams.alerts.outbox import Outbox, Queued

log = logging.getLogger(__name__)


class Intake:
    def __init__(
        self,
        outbox: Outbox,
        policy: AlertsPolicy,
        partners: Callable[[], frozenset[str]],
        clock: Callable[[], float],
        queued: Callable[[], None],
    ) -> None:
        self.outbox = outbox
        self.policy = policy
        self.partners = partners  # read at each alert: a partner added later counts
        self.clock = clock
        self.queued = queued  # wakes the dispatcher

    def rows(self, record: ConsumerRecord[bytes, bytes]) -> list[Queued]:
        try:
            alert = decode(record.value or b"")
        except DecodeError:
            return []  # the worker writes these topics; a refusal is not ours to make
        if not isinstance(alert, EscalationRaised | NotificationRaised):
            return []  # e.g. CommissionAccrued on the notifications topic
        body = webhook.body(alert)
        return [
            Queued(alert_id(alert), endpoint, record.key, record.value or b"", body)
            for endpoint in endpoints_for(alert, self.policy, self.partners())
        ]

    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> Sequence[Awaitable[Any]]:
        rows = self.rows(record)
        if rows and self.outbox.queue(rows, self.clock()):
            self.queued()
        return []  # nothing to wait for: the outbox transaction is already on disk
