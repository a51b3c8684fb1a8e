"""The admission step and the feed relay as tasks of the worker, and their clients.

Each runs in its own consumer group (``<app id>-admission``, ``<app id>-feeds``), so
several workers share the partners' partitions the way they share the intake's.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from streams.admission import feeds, janitor, relay, step
from streams.admission.bus import Bus
from streams.identity.registry import RegistryFollower, registry_path
from streams.runtime import Runtime


def register(rt: Runtime) -> None:
    settings = rt.settings
    client = rt.kafka.aiokafka()  # the worker's identity (streams/identity/clients.py)
    bus = Bus(client)
    rt.bus = bus
    rt.registry = RegistryFollower(registry_path(settings.home))

    admission_group = f"{settings.app_id}-admission"
    admission_consumer = partial(
        relay.consumer_for, client, admission_group, pattern=step.pattern(rt)
    )
    feeds_consumer = partial(
        relay.consumer_for,
        client,
        f"{settings.app_id}-feeds",
        topics=feeds.source_topics(rt),
    )

    @rt.app.task  # type: ignore[untyped-decorator]
    async def admit_partner_events() -> None:
        await relay.run("admission", admission_consumer, partial(step.handle, rt, bus))

    @rt.app.task  # type: ignore[untyped-decorator]
    async def copy_to_partner_feeds() -> None:
        await relay.run("feeds", feeds_consumer, partial(feeds.handle, rt, bus))

    async def close_bus(app: Any, **_: Any) -> None:
        await bus.close()

    rt.app.on_before_shutdown.connect(close_bus)
    janitor.register(rt, admission_group)
