"""Sends what the outbox holds when it is due, records each outcome, dead-letters.

One attempt: send, then record the answer in the outbox (delivered; failed with the time
of the next attempt, or dead when the schedule is spent; or the endpoint disabled on a
410). Dead rows are copied to the dead-letter topic, unchanged, with headers saying
which endpoint and why, and marked copied once the broker has them. Time comes from
``clock``, so the tests run a compressed schedule without waiting out real delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping

from projections.alerts.retry import RetrySchedule
from projections.alerts.webhook import Answer
from streams.alerts.outbox import Delivery, Outbox
from streams.alerts.senders import Sender

log = logging.getLogger(__name__)
IDLE_SECONDS = 1.0

DeadLetter = Callable[[Delivery], Awaitable[None]]


class Dispatcher:
    def __init__(
        self,
        outbox: Outbox,
        *,
        senders: Mapping[str, Sender],
        schedule: RetrySchedule,
        dead_letter: DeadLetter,
        clock: Callable[[], float],
        concurrency: int = 8,
    ) -> None:
        self.outbox = outbox
        self.senders = senders
        self.schedule = schedule
        self.dead_letter = dead_letter
        self.clock = clock
        self.concurrency = concurrency
        self.wake = asyncio.Event()  # set when rows were queued or an attempt finished
        self._in_flight: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def run(self) -> None:
        """Until cancelled. Nothing escapes: a failure is logged and the loop goes on."""
        try:
            while True:
                try:
                    await self._dead_letters()
                    self._start_due()
                except Exception:
                    log.exception("deliver: dispatching failed; trying again")
                await self._sleep()
        finally:
            for task in self._in_flight.values():
                task.cancel()

    def _start_due(self) -> None:
        room = self.concurrency - len(self._in_flight)
        if room <= 0:
            return
        for delivery in self.outbox.due(self.clock(), room, set(self._in_flight)):
            task = asyncio.create_task(self._attempt(delivery))
            self._in_flight[delivery.key] = task
            task.add_done_callback(functools.partial(self._finished, delivery.key))

    def _finished(self, key: tuple[str, str], _: asyncio.Task[None]) -> None:
        self._in_flight.pop(key, None)
        self.wake.set()

    async def _sleep(self) -> None:
        next_at = self.outbox.next_attempt_at()
        wait = IDLE_SECONDS if next_at is None else next_at - self.clock()
        wait = max(0.01, min(wait, IDLE_SECONDS))
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=wait)

    async def _attempt(self, delivery: Delivery) -> None:
        sender = self.senders.get(delivery.endpoint)
        try:
            if sender is None:
                answer = Answer("retry", "endpoint no longer in the policy")
            else:
                answer = await sender.send(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            answer = Answer("retry", f"{type(exc).__name__}: {exc}"[:500])
        try:
            self.record(delivery, answer)
        except Exception:
            log.exception("deliver: recording %s failed; it is sent again", delivery.key)

    def record(self, delivery: Delivery, answer: Answer) -> None:
        now = self.clock()
        if answer.verdict == "delivered":
            self.outbox.delivered(delivery, now)
            log.info("deliver: %s to %s: %s", delivery.alert_id, delivery.endpoint, answer.detail)
        elif answer.verdict == "disable":
            self.outbox.disable(delivery.endpoint, answer.detail, now)
            log.warning("deliver: endpoint %s disabled: %s", delivery.endpoint, answer.detail)
        else:
            next_at = self.schedule.next_attempt_at(delivery.attempts + 1, now, answer.retry_after)
            self.outbox.failed(delivery, next_at, now, answer.detail)
            log.warning(
                "deliver: %s to %s failed (attempt %d: %s); %s",
                delivery.alert_id,
                delivery.endpoint,
                delivery.attempts + 1,
                answer.detail,
                "dead-lettered" if next_at is None else f"next in {next_at - now:.1f}s",
            )

    async def _dead_letters(self) -> None:
        for delivery in self.outbox.to_dead_letter():
            await self.dead_letter(delivery)
            self.outbox.dead_lettered(delivery)
