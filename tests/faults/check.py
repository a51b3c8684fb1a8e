"""The oracle: the pure replay of the record log, compared with what the live system left.

Lead states come from the ``leads`` table's changelog (what a recovering worker
loads), escalations from the escalations topic and table, rejections from the
rejections topic; the expected ones from the replay of ``lead-log``. The live worker
raises clocks on wall time, so the replay runs up to ``as_of`` = now, after the
workload; escalations are compared as sets by id.

Intake (``leads``) is deleted by the worker's janitor once processed, so it is counted
by offsets: each intake offset was rejected (its rejection names it), recorded (the
record-log copy names it in its ``intake`` header) or, a duplicate, neither; a
duplicate still on intake is checked against the lead's applied ids. Published event
ids the scenario knows must each be in the record log or rejected.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime

from projections.lead.state import LeadState, state_from_json, state_to_json, to_view
from projections.policy import Policy
from projections.replay import replay_leads
from schemas.codec import DecodeError, decode, encode
from schemas.events import LEAD_EVENT_CLASSES, Event
from schemas.system_events import EscalationRaised, EventRejected
from streams.broker.topics import ESCALATIONS, LEAD_LOG, LEADS, REJECTIONS, topic_name
from streams.delivery.recorder import INTAKE_HEADER
from streams.readback.event_log import read_topics
from tests.faults.observe import Observer, Record, changelog, latest_by_key
from tests.support.kafka_auth import client_access

SHOWN = 5  # mismatches printed per kind


@dataclass
class Verdict:
    figures: dict[str, int] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    rejected_at: dict[tuple[int, int], EventRejected] = field(default_factory=dict)
    live: dict[str, LeadState] = field(default_factory=dict)
    expected: dict[str, LeadState] = field(default_factory=dict)

    def miss(self, kind: str, detail: str) -> None:
        self.mismatches.append(f"{kind}: {detail}")


def _differing_fields(live: LeadState, want: LeadState) -> list[str]:
    return [f.name for f in fields(LeadState) if getattr(live, f.name) != getattr(want, f.name)]


def _decoded(record: Record) -> Event | None:
    try:
        return decode(record.value or b"")
    except DecodeError:
        return None


def verify(
    obs: Observer,
    namespace: str,
    as_of: datetime,
    policy: Policy,
    published: frozenset[str] = frozenset(),
) -> Verdict:
    verdict = Verdict()
    leads_topic, log_topic = topic_name(LEADS, namespace), topic_name(LEAD_LOG, namespace)
    expected = replay_leads(read_topics(client_access(obs.bootstrap), [log_topic]), as_of, policy)
    live = {
        key: state_from_json(raw)
        for key, raw in latest_by_key(obs.read(changelog(namespace, "leads"))).items()
    }
    verdict.live, verdict.expected = live, expected.leads
    _compare_leads(verdict, live, expected.leads)
    _compare_escalations(verdict, obs, namespace, expected.escalations, live)
    _account_inputs(
        verdict,
        obs,
        namespace=namespace,
        intake=Intake.read(obs, leads_topic, log_topic),
        live=live,
        replay_rejections=expected.rejections,
        published=published,
    )
    return verdict


@dataclass
class Intake:
    """The intake topic by offsets: where it ends, what is left, what was recorded."""

    ends: dict[int, int]
    left: dict[tuple[int, int], Record]  # what the janitor has not deleted yet
    recorded: dict[tuple[int, int], str]  # intake offset -> event id in the record log

    @staticmethod
    def read(obs: Observer, leads_topic: str, log_topic: str) -> Intake:
        recorded = {}
        for record in obs.read(log_topic):
            where = dict(record.headers).get(INTAKE_HEADER)
            event = _decoded(record)
            if where is not None and event is not None:
                partition, offset = where.decode().split(":")
                recorded[(int(partition), int(offset))] = event.event_id
        left = {(r.partition, r.offset): r for r in obs.read(leads_topic)}
        return Intake(obs.end_offsets(leads_topic), left, recorded)


def _compare_leads(
    verdict: Verdict, live: dict[str, LeadState], want: dict[str, LeadState]
) -> None:
    verdict.figures["leads"] = len(want)
    for lead_id in sorted(set(want) - set(live))[:SHOWN]:
        verdict.miss("lead missing from the live table", lead_id)
    for lead_id in sorted(set(live) - set(want))[:SHOWN]:
        verdict.miss("lead in the live table that replay does not have", lead_id)
    differing = [
        lead_id
        for lead_id in sorted(set(want) & set(live))
        if state_to_json(live[lead_id]) != state_to_json(want[lead_id])
    ]
    for lead_id in differing[:SHOWN]:
        fields = _differing_fields(live[lead_id], want[lead_id])
        verdict.miss("lead state differs from replay", f"{lead_id} ({', '.join(fields)})")
    if len(differing) > SHOWN:
        verdict.miss("lead state differs from replay", f"... {len(differing)} leads in all")
    # The history lists every change with its cause in the order it was applied, so
    # equal states also mean each lead's events were applied in log order.
    verdict.figures["leads_differing"] = len(differing)


def _compare_escalations(
    verdict: Verdict,
    obs: Observer,
    namespace: str,
    wanted: list[EscalationRaised],
    live: dict[str, LeadState],
) -> None:
    want = {e.data.escalation_id: encode(e) for e in wanted}
    copies: Counter[str] = Counter()
    raised: dict[str, bytes] = {}
    for record in obs.read(topic_name(ESCALATIONS, namespace)):
        event = _decoded(record)
        if not isinstance(event, EscalationRaised):
            verdict.miss("escalations topic", f"undecodable record at {record.offset}")
            continue
        copies[event.data.escalation_id] += 1
        raised[event.data.escalation_id] = record.value or b""
    verdict.figures["escalations_expected"] = len(want)
    verdict.figures["escalations_raised"] = len(raised)
    verdict.figures["escalation_redeliveries"] = sum(n - 1 for n in copies.values())
    for missing in sorted(set(want) - set(raised))[:SHOWN]:
        verdict.miss("escalation missing", missing)
    for extra in sorted(set(raised) - set(want))[:SHOWN]:
        verdict.miss("escalation replay does not raise", extra)
    for same_id in sorted(i for i in set(want) & set(raised) if want[i] != raised[i])[:SHOWN]:
        verdict.miss("escalation differs from replay's", same_id)
    table = latest_by_key(obs.read(changelog(namespace, "escalations")))
    if set(table) != set(want):
        verdict.miss(
            "escalations table",
            f"{len(set(want) - set(table))} missing, {len(set(table) - set(want))} extra",
        )
    for lead_id, state in live.items():
        ids = [e.escalation_id for e in state.escalations]
        if len(ids) != len(set(ids)):
            verdict.miss("escalation raised twice in a lead's state", lead_id)


def _account_inputs(
    verdict: Verdict,
    obs: Observer,
    *,
    namespace: str,
    intake: Intake,
    live: dict[str, LeadState],
    replay_rejections: list[tuple[str, str]],
    published: frozenset[str],
) -> None:
    """Events in = processed + rejected, each intake offset in exactly one class."""
    leads_topic = topic_name(LEADS, namespace)
    rejections: dict[str, EventRejected] = {}
    copies = 0
    for record in obs.read(topic_name(REJECTIONS, namespace)):
        event = _decoded(record)
        if isinstance(event, EventRejected) and event.data.topic == leads_topic:
            copies += event.event_id in rejections
            rejections[event.event_id] = event
    at = {(r.data.partition or 0, r.data.offset or 0): r for r in rejections.values()}
    verdict.rejected_at = at
    processed = duplicates = unread = 0
    fold_rejections: Counter[tuple[str, str]] = Counter()
    offsets = [(p, o) for p, end in sorted(intake.ends.items()) for o in range(end)]
    for where in offsets:
        rejection, event_id = at.get(where), intake.recorded.get(where)
        if rejection is not None:
            if event_id is not None:  # recorded, then refused by the fold: replay refuses it
                fold_rejections[(event_id, rejection.data.reasons[0])] += 1
            continue
        processed += 1
        if event_id is not None:
            continue
        duplicates += 1  # neither recorded nor rejected: a copy of an applied event
        copy = intake.left.get(where)
        if copy is None:
            unread += 1  # deleted by the janitor: only its offset is known
            continue
        event = _decoded(copy)
        lead = live.get(event.subject) if event is not None else None
        applicable = isinstance(event, LEAD_EVENT_CLASSES) and copy.key == event.subject.encode()
        if not applicable or lead is None or event is None or event.event_id not in lead.seen:
            verdict.miss("input neither processed nor rejected", f"{where[0]}:{where[1]}")
            processed -= 1
    answered = set(intake.recorded.values()) | {
        r.data.rejected_event_id for r in rejections.values() if r.data.rejected_event_id
    }
    for lost in sorted(published - answered)[:SHOWN]:
        verdict.miss("published event neither recorded nor rejected", lost)
    verdict.figures.update(
        events_in=len(offsets),
        processed=processed,
        rejected=len(at),
        duplicates=duplicates,
        intake_deleted=sum(1 for w in offsets if w not in intake.left),
        duplicates_deleted=unread,
        rejection_redeliveries=copies,
    )
    if len(offsets) != processed + len(at):
        verdict.miss("accounting", f"in {len(offsets)} != {processed} + {len(at)}")
    # As sets: the record log can hold a second copy of an event the worker recorded
    # before it was stopped or lost the partition, which replay refuses again (an
    # unknown lead has no state to remember it), while the intake offset is rejected
    # once, under one rejection id.
    if set(fold_rejections) != set(replay_rejections):
        diff = set(fold_rejections) ^ set(replay_rejections)
        verdict.miss("rejections differ from replay's", f"{sorted(diff)[:SHOWN]}")


def view_of(state: LeadState) -> dict[str, object]:
    return to_view(state)
