"""The agents' sends, handed to the Kafka producer without Faust's per-message wrapping.

Faust's ``Topic.send`` builds a ``PendingMessage`` and a ``FutureMessage`` for every
message, calls its sensors before and after, and attaches a callback that resolves the
``FutureMessage``; only then does it reach aiokafka's ``AIOKafkaProducer.send``. The
agents need none of it: they send bytes they encoded themselves and wait on aiokafka's
own future (log first). In the profile of issue 19 that wrapping was 5 % of the
worker's CPU (docs/performance.md, *Live throughput*), for a record-log copy, output or
rejection per input event.

:class:`DirectTopic` is a Faust topic (agents still read it through Faust, and table
changelogs are untouched) whose :meth:`~DirectTopic.send` calls Faust's own aiokafka
producer directly: the same producer, settings (``acks=all``) and partitioner, and a
future that says when the broker has the message, as before. A send before that
producer started, or with Faust-only arguments (a schema, a callback), takes Faust's
path. A Kafka error raised at the send is raised as Faust raised it
(``ProducerSendError``), so every caller's handling is unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiokafka.errors import KafkaError
from faust import Topic
from faust.exceptions import ProducerSendError


class DirectTopic(Topic):
    """A raw-bytes topic whose sends skip Faust's message wrapping."""

    async def send(  # the agents' keyword subset of Faust's (typed loosely, as Faust's)
        self,
        *,
        key: Any = None,
        value: Any = None,
        partition: int | None = None,
        headers: Any = None,
        **faust_only: Any,
    ) -> Any:
        producer = getattr(self.app.producer, "_producer", None)
        if faust_only or producer is None:
            sent: Awaitable[Any] = await super().send(
                key=key, value=value, partition=partition, headers=headers, **faust_only
            )
            return sent
        try:
            future: Awaitable[Any] = await producer.send(
                self.get_topic_name(), value, key=key, partition=partition, headers=headers
            )
        except KafkaError as exc:
            raise ProducerSendError(f"Error while sending: {exc!r}") from exc
        return future
