"""``GET /metrics``: the worker's figures in the Prometheus text format.

Behind the operator token, as every view across partners (``/stats`` shows the same
counters): it names partners (refusals by partner) and event types. Prometheus sends
the token with ``authorization: {credentials_file: ...}`` in its scrape config
(docs/operators.md).

Each app gets its own registry: the per-process instruments
(``streams/observability/instruments.py``), the collectors that read the tables, the
counters and the consumer at scrape time (``streams/observability/collectors.py``), and
the process's CPU, memory and file descriptors.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.process_collector import ProcessCollector

from streams.observability.collectors import (
    ConsumerLag,
    ProcessCounts,
    TableFigures,
    WatchdogExits,
)
from streams.observability.instruments import PROCESS_INSTRUMENTS
from streams.runtime import Runtime
from streams.web.access import Gate


def registry_for(rt: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    for instrument in PROCESS_INSTRUMENTS:
        registry.register(instrument)
    registry.register(TableFigures(rt))
    registry.register(ProcessCounts(rt))
    registry.register(ConsumerLag(rt))
    registry.register(WatchdogExits(rt))
    ProcessCollector(namespace="leadledger", registry=registry)
    return registry


def register(rt: Runtime) -> None:
    gate: Gate = rt.gate
    registry = registry_for(rt)

    @rt.app.page("/metrics")  # type: ignore[untyped-decorator]
    @gate.operator
    async def get_metrics(web: Any, request: Any) -> Any:
        # The library picks the format the scraper asks for (Accept: the text format
        # 0.0.4 by default, OpenMetrics on request). The content type, with its version
        # and charset, goes in as a header: aiohttp refuses a charset in content_type.
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.bytes(encode(registry), headers={"Content-Type": content_type})
