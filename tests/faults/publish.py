"""Publish the workload as partners do (acks=all), paced, remembering what was acked."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer

from schemas.codec import encode
from schemas.envelope import Envelope
from tests.support.kafka_auth import kafka_config


class Publisher(threading.Thread):
    """Sends ``events`` at ``rate`` a second in a background thread.

    ``acked`` holds the ids the broker acknowledged: only those are promised to be in
    the log (a send that failed during a broker fault may or may not be there).
    """

    def __init__(self, bootstrap: str, topic: str, events: Sequence[Envelope], rate: float) -> None:
        super().__init__(daemon=True, name="publisher")
        self.topic, self.events, self.rate = topic, events, rate
        self.producer = KafkaProducer(
            **kafka_config(bootstrap),
            acks="all",
            linger_ms=10,
            retries=2**31 - 1,
            request_timeout_ms=30_000,
            max_in_flight_requests_per_connection=1,  # retries keep per-lead order
        )
        self.acked: set[str] = set()
        self.failed = 0
        self.sent = 0
        self.error: BaseException | None = None
        self._lock = threading.Lock()

    def _ack(self, event_id: str) -> Any:
        def done(_: object) -> None:
            with self._lock:
                self.acked.add(event_id)

        return done

    def _fail(self, _: object) -> None:
        with self._lock:
            self.failed += 1

    def run(self) -> None:
        try:
            start = time.monotonic()
            for index, event in enumerate(self.events):
                if index % 100 == 0 and (ahead := start + index / self.rate - time.monotonic()) > 0:
                    time.sleep(ahead)
                future = self.producer.send(
                    self.topic, key=event.subject.encode(), value=encode(event)
                )
                future.add_callback(self._ack(event.event_id))
                future.add_errback(self._fail)
                self.sent += 1
            self.producer.flush()
        except BaseException as exc:  # reported by the scenario, never swallowed
            self.error = exc
        finally:
            self.producer.close(timeout=30)
