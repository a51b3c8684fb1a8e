"""Changelog recovery time: how long a fresh worker takes to load N leads' state.

The ``leads`` changelog is filled directly with N realistic lead states (the JSON the
worker writes), then a worker starts with an empty store and must rebuild the table
from it before it can answer for the last lead of every partition.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer

from projections.lead.state import state_to_json
from projections.policy import Policy
from projections.replay import replay_leads
from streams.broker.topics import LEADS
from tests.faults.harness import Scenario
from tests.faults.observe import changelog
from tests.faults.procs import wait_until
from tests.faults.workload import Scripts
from tests.support.kafka_auth import kafka_config


def _template(sc: Scenario) -> bytes:
    """One lead's state after a whole funnel, as the worker stores it."""
    scripts = Scripts(sc.rng, "template", datetime.now(UTC) - timedelta(days=1))
    events = scripts.funnel()
    state = replay_leads(events, datetime.now(UTC), Policy()).leads[events[0].subject]
    return state_to_json(state)


def changelog_recovery(sc: Scenario, leads: int) -> dict[str, object]:
    topic = changelog(sc.namespace, "leads")
    # create_topics (the Scenario) made it, as it makes every table's changelog.
    template = _template(sc).decode()
    last: dict[int, str] = {}
    filled = time.monotonic()
    producer = KafkaProducer(
        **kafka_config(sc.bootstrap), acks="all", linger_ms=50, batch_size=512 * 1024
    )
    try:
        for n in range(leads):
            lead_id = f"{sc.namespace}-R{n}"
            key = json.dumps(lead_id).encode()  # table keys go through Faust's json codec
            value = template.replace('"template-L1"', f'"{lead_id}"').encode()
            partition = n % LEADS.partitions  # spread evenly; a lookup reads one dict
            last[partition] = lead_id
            producer.send(topic, key=key, value=value, partition=partition)
        producer.flush()
    finally:
        producer.close()
    fill_s = time.monotonic() - filled
    worker = sc.worker("recovery")
    started = time.monotonic()
    worker.start()
    worker.wait_ready()
    ready_s = time.monotonic() - started

    def all_served() -> bool:
        return all(worker.get(f"/leads/{lead}").status_code == 200 for lead in last.values())

    wait_until("every partition's last lead to be served", all_served, worker.log_lines)
    total_s = time.monotonic() - started
    sc.report.update(
        leads=leads,
        state_bytes=len(template),
        fill_s=round(fill_s, 1),
        worker_ready_s=round(ready_s, 1),
        recovered_and_serving_s=round(total_s, 1),
    )
    return sc.report
