"""Bad input: each kind of bad message goes where it should, and the worker carries on.

Every injected message's (partition, offset) is known from its acknowledgement, so
the check is per message: rejected with the expected reason, or applied idempotently.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kafka import KafkaProducer

from schemas.codec import encode
from schemas.lead_events import LeadActivity, LeadActivityData
from schemas.system_events import EscalationRaised, EscalationRaisedData
from tests.faults.check import Verdict
from tests.faults.harness import Scenario
from tests.faults.procs import HarnessError
from tests.faults.workload import generate
from tests.support.kafka_auth import kafka_config
from tests.support.leads import Lead


@dataclass(frozen=True)
class Injected:
    kind: str
    key: bytes | None
    value: bytes
    reason: str | None  # a part of the rejection reason; None: must be applied


def _invalid_but_encodable(lead: Lead, when: datetime) -> bytes:
    """Avro-valid bytes of an event the contract refuses (an empty event id)."""
    valid = lead.activity(when)
    broken = LeadActivity.model_construct(
        event_id="",
        type="LeadActivity",
        subject=valid.subject,
        occurred_at=when,
        source=valid.source,
        actor=None,
        data=LeadActivityData(activity="web_visit"),
    )
    return encode(broken)


def bad_messages(run: str, rng: random.Random, copies: int) -> list[list[Injected]]:
    """Groups of messages, each group in order: ``copies`` of every kind of bad input."""
    t = datetime.now(UTC) - timedelta(hours=3)
    groups: list[list[Injected]] = []
    for n in range(copies):
        lead = Lead(f"{run}-bad{n}")
        captured, first = lead.captured(t), lead.activity(t + timedelta(minutes=1), "webinar")
        key = lead.lead_id.encode()
        # A known lead's event under another key: refused live; replay must agree.
        miskeyed = lead.activity(t + timedelta(minutes=2), "demo_request")
        system = EscalationRaised(
            event_id=f"{run}-forged{n}",
            subject=lead.lead_id,
            occurred_at=t,
            source="partner-a",
            data=EscalationRaisedData(escalation_id="x", rule="MQL_NOT_ASSIGNED", due_at=t),
        )
        valid = encode(lead.activity(t + timedelta(minutes=2)))
        groups.append(
            [
                Injected("good", key, encode(captured), None),
                Injected("good", key, encode(first), None),
                Injected("undecodable", key, os.urandom(rng.randrange(1, 64)), "single-object"),
                Injected("truncated", key, valid[:-3], "does not match its schema"),
                Injected("invalid", key, _invalid_but_encodable(lead, t), "event_id"),
                Injected("miskeyed", b"someone-else", encode(miskeyed), "not the event subject"),
                Injected("not a lead event", key, encode(system), "not a lead event"),
                Injected(
                    "illegal transition",
                    key,
                    encode(lead.status(t + timedelta(minutes=3), "SQL")),
                    "illegal transition",
                ),
                Injected(
                    "unknown lead",
                    f"{run}-ghost{n}".encode(),
                    encode(Lead(f"{run}-ghost{n}").activity(t, "web_visit")),
                    "unknown lead",
                ),
                Injected("duplicate", key, encode(first), None),
                Injected(
                    "out of time order",
                    key,
                    encode(lead.activity(t - timedelta(days=1), "email_open")),
                    None,
                ),
            ]
        )
    return groups


def bad_input(sc: Scenario, events: int, copies: int) -> Verdict:
    worker = sc.worker("w1")
    worker.start()
    worker.wait_ready()
    groups = bad_messages(sc.namespace, sc.rng, copies)
    good = list(generate(events, sc.namespace, datetime.now(UTC), sc.rng.randrange(10**6)))
    producer = KafkaProducer(**kafka_config(sc.bootstrap), acks="all", linger_ms=5)
    placed: dict[tuple[int, int], Injected] = {}
    try:
        stride = max(1, len(good) // max(1, len(groups)))
        for n, group in enumerate(groups):
            for event in good[n * stride : (n + 1) * stride]:
                producer.send(sc.leads_topic, key=event.subject.encode(), value=encode(event))
            for item in group:
                meta = producer.send(sc.leads_topic, key=item.key, value=item.value).get(30)
                placed[(meta.partition, meta.offset)] = item
        for event in good[len(groups) * stride :]:
            producer.send(sc.leads_topic, key=event.subject.encode(), value=encode(event))
        producer.flush()
    finally:
        producer.close()
    sc.report["settle_s"] = round(sc.settle(), 1)
    verdict = sc.check()
    _check_each(verdict, placed)
    if not worker.alive():
        raise HarnessError(f"the worker stopped:\n{worker.log_tail()}")
    counters = (worker.stats() or {}).get("counters", {})
    if counters.get("received") != counters.get("processed", 0) + counters.get("rejected", 0):
        verdict.miss("worker counters", f"received != processed + rejected: {counters}")
    kinds = sorted({i.kind for i in placed.values()})
    sc.report.update(
        faults=f"{len(placed)} injected messages ({copies} of each: {', '.join(kinds)})",
        worker_counters=counters,
        mismatches=len(verdict.mismatches),
    )
    return verdict


def _check_each(verdict: Verdict, placed: dict[tuple[int, int], Injected]) -> None:
    for where, item in sorted(placed.items()):
        rejection = verdict.rejected_at.get(where)
        if item.reason is None and rejection is not None:
            verdict.miss(f"{item.kind} was rejected", f"{where}: {rejection.data.reasons}")
        elif item.reason is not None:
            if rejection is None:
                verdict.miss(f"{item.kind} was not rejected", str(where))
            elif not any(item.reason in reason for reason in rejection.data.reasons):
                verdict.miss(f"{item.kind}: unexpected reason", f"{rejection.data.reasons}")
