"""The figures of ``GET /metrics`` held against the tables and counters they come from.

The tables are filled the way the agents fill them: lead states folded by the core,
their clocks in the deadline index, escalation rows as ``emit`` writes them. A second
runtime over the same tables with fresh counters is a restarted worker: the figures
read from the tables are the same, the per-process counters start at zero.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from faust.types import TP
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from projections.lead.fold import state_from_json, state_to_json
from schemas.system_events import EscalationRaised
from streams.delivery import tally
from streams.delivery.emit import escalation_row
from streams.observability import exits, reasons
from streams.observability.collectors import ProcessCounts, TableFigures
from streams.runtime import Counters
from streams.settings import Settings
from streams.state import deadline_index
from streams.web.metrics import registry_for
from tests.support.leads import Lead, at, fold


class FakeConsumer:
    """What ConsumerLag reads of Faust's consumer."""

    def __init__(self) -> None:
        self.ends = {TP("t.leads", 0): 10, TP("t.leads", 1): 4, TP("t.clocks", 0): None}
        self._committed_offset = {TP("t.leads", 0): 7, TP("t.leads", 1): 4}

    def assignment(self) -> set[TP]:
        return set(self.ends)

    def highwater(self, tp: TP) -> int | None:
        return self.ends[tp]


def _tables() -> dict[str, dict[str, bytes]]:
    """Three MQLs: one waiting, one whose clock ran out and escalated, one assigned."""
    leads: dict[str, bytes] = {}
    deadlines: dict[str, bytes] = {}
    escalations: dict[str, bytes] = {}
    waiting, escalated, assigned = Lead("L-wait"), Lead("L-esc"), Lead("L-assigned")
    folded = [
        (1, fold([waiting.captured(), waiting.activity(at(1), "demo_request", points=80)])),
        (
            2,
            fold(
                [escalated.captured(), escalated.activity(at(1), "demo_request", points=80)],
                until=at(days=3),
            ),
        ),
        (
            3,
            fold(
                [
                    assigned.captured(),
                    assigned.activity(at(1), "demo_request", points=80),
                    assigned.assigned(at(1.5), "rep-1"),
                ]
            ),
        ),
    ]
    for partition, result in folded:
        lead = result.lead
        leads[lead.lead_id] = state_to_json(lead)
        for clock in lead.clocks:
            deadline_index.add(deadlines, partition, lead.lead_id, clock.due_at)
        for event in result.emitted:
            if isinstance(event, EscalationRaised):
                escalations[event.data.escalation_id] = escalation_row(event)
    # A clock stopped early stays in the index until its due time: the state decides.
    deadline_index.add(deadlines, 3, "L-assigned", at(2.5))
    deadline_index.add(deadlines, 4, "L-gone", at(2))  # a subject with no state
    return {"leads": leads, "deadlines": deadlines, "escalations": escalations}


def _runtime(tables: dict[str, dict[str, bytes]], home: Path) -> Any:
    return SimpleNamespace(
        **tables,
        agreements={},
        disputes={},
        counters=Counters(),
        settings=Settings(home=home, namespace="t"),
        app=SimpleNamespace(consumer=FakeConsumer()),
    )


def _scrape(rt: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(registry_for(rt)).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _by(samples: dict[Any, float], name: str, label: str) -> dict[str, float]:
    return {dict(labels)[label]: value for (n, labels), value in samples.items() if n == name}


def _open_clocks_in_states(leads: dict[str, bytes], now: datetime) -> tuple[Counter[str], ...]:
    """What the lead views show: each state's open clocks, and those already due."""
    states = [state_from_json(raw) for raw in leads.values()]
    opened = Counter(c.rule for s in states for c in s.clocks)
    due = Counter(c.rule for s in states for c in s.clocks if c.due_at <= now)
    return opened, due


def test_table_figures_equal_the_tables(tmp_path: Path) -> None:
    tables = _tables()
    rt = _runtime(tables, tmp_path)
    now = at(1.5)  # L-wait's MQL_NOT_ASSIGNED runs, not yet due
    figures = {m.name: m for m in TableFigures(rt, now=lambda: now).collect()}

    rows = [json.loads(raw) for raw in tables["escalations"].values()]  # GET /escalations
    assert {s.labels["rule"]: s.value for s in figures["leadledger_escalations"].samples} == (
        dict(Counter(r["rule"] for r in rows))
    )
    assert Counter(r["rule"] for r in rows)["MQL_NOT_ASSIGNED"] == 1

    opened, due = _open_clocks_in_states(tables["leads"], now)
    shown = {s.labels["rule"]: s.value for s in figures["leadledger_open_clocks"].samples}
    assert shown == dict(opened)
    assert shown.get("MQL_NOT_ASSIGNED") == 1  # L-wait's; L-assigned's clock stopped
    unfired = {s.labels["rule"]: s.value for s in figures["leadledger_clocks_due_unfired"].samples}
    assert unfired == {rule: due.get(rule, 0) for rule in opened}

    later = at(days=2)  # past L-wait's due time, and no DeadlineDue advanced it
    _, due_later = _open_clocks_in_states(tables["leads"], later)
    late = {m.name: m for m in TableFigures(rt, now=lambda: later).collect()}
    unfired = {s.labels["rule"]: s.value for s in late["leadledger_clocks_due_unfired"].samples}
    assert unfired["MQL_NOT_ASSIGNED"] == due_later["MQL_NOT_ASSIGNED"] == 1


def test_a_fresh_worker_on_the_same_tables_reports_the_same_data(tmp_path: Path) -> None:
    tables = _tables()
    first = _runtime(tables, tmp_path)
    with tally.message():
        tally.received(first.counters)
        tally.note_type("LeadActivity")
        tally.processed(first.counters)
    before = _scrape(first)
    restarted = _scrape(_runtime(tables, tmp_path))  # same tables, new process

    for name in ("leadledger_escalations", "leadledger_open_clocks"):
        assert _by(restarted, name, "rule") == _by(before, name, "rule") != {}
    assert _by(before, "leadledger_events_received_total", "type") == {"LeadActivity": 1}
    assert _by(restarted, "leadledger_events_received_total", "type") == {}


def test_events_by_type_and_reason_add_up_as_stats_does(tmp_path: Path) -> None:
    rt = _runtime(_tables(), tmp_path)
    counters: Counters = rt.counters
    for event_type, outcome in [
        ("LeadCaptured", "processed"),
        ("LeadActivity", "processed"),
        ("LeadActivity", reasons.REUSED_ID),
        (tally.UNKNOWN_TYPE, reasons.UNDECODABLE),
    ]:
        with tally.message():
            tally.received(counters)
            if event_type != tally.UNKNOWN_TYPE:
                tally.note_type(event_type)
            if outcome == "processed":
                tally.processed(counters)
            else:
                tally.rejected(counters, outcome)
    # A message counted processed, then rejected when its record-log copy failed: once.
    with tally.message():
        tally.received(counters)
        tally.note_type("LeadActivity")
        tally.processed(counters)
        tally.rejected(counters, reasons.INTERNAL)
        tally.rejected(counters, reasons.OTHER)  # a second rejection is not counted

    samples = _scrape(rt)
    received = _by(samples, "leadledger_events_received_total", "type")
    processed = _by(samples, "leadledger_events_processed_total", "type")
    rejected = [
        (dict(labels)["type"], dict(labels)["reason"], value)
        for (name, labels), value in samples.items()
        if name == "leadledger_events_rejected_total"
    ]
    assert sum(received.values()) == counters.received == 5
    assert sum(processed.values()) == counters.processed == 2
    assert sum(v for _, _, v in rejected) == counters.rejected == 3
    assert sorted(rejected) == [
        ("LeadActivity", "internal", 1),
        ("LeadActivity", "reused_id", 1),
        ("unknown", "undecodable", 1),
    ]
    for event_type, count in received.items():
        by_type = sum(v for t, _, v in rejected if t == event_type)
        assert count == processed.get(event_type, 0) + by_type


def test_a_take_back_never_shows_a_counter_going_down(tmp_path: Path) -> None:
    rt = _runtime(_tables(), tmp_path)
    counts = ProcessCounts(rt)

    def received() -> float:
        family = next(m for m in counts.collect() if m.name == "leadledger_events_received")
        return sum(s.value for s in family.samples if s.name.endswith("_total"))

    with tally.message() as handled:
        tally.received(rt.counters)
        tally.note_type("LeadCaptured")
        tally.processed(rt.counters)
    assert received() == 1
    tally.undo(rt.counters, handled)  # the batch is handled again (a send failed)
    assert rt.counters.received == 0
    assert received() == 1  # held, not a reset
    with tally.message():  # counted again
        tally.received(rt.counters)
        tally.note_type("LeadCaptured")
        tally.processed(rt.counters)
    assert received() == 1
    assert rt.counters.outcomes[("received", "LeadCaptured", "")] == 1


def test_lag_watchdog_exits_and_process_figures(tmp_path: Path) -> None:
    rt = _runtime(_tables(), tmp_path)
    exits.note_exit(exits.exits_path(tmp_path), "t", "an offset commit", at())
    exits.note_exit(exits.exits_path(tmp_path), "other-namespace", "x", at())
    samples = _scrape(rt)
    lag = {
        (dict(labels)["topic"], dict(labels)["partition"]): value
        for (name, labels), value in samples.items()
        if name == "leadledger_consumer_lag"
    }
    assert lag == {("t.leads", "0"): 3, ("t.leads", "1"): 0}  # no highwater yet: left out
    assert samples[("leadledger_watchdog_exits_total", ())] == 1
    assert ("leadledger_process_resident_memory_bytes", ()) in samples
    help_text = generate_latest(registry_for(rt)).decode()
    assert "# HELP leadledger_events_received_total" in help_text
    for line in help_text.splitlines():
        if line.startswith("# HELP leadledger_batch_size "):
            assert "starts at zero when the worker starts" in line


def test_a_broken_table_leaves_out_its_figures_only(tmp_path: Path) -> None:
    tables = _tables()
    tables["escalations"] = {"x": b"not json"}
    samples = _scrape(_runtime(tables, tmp_path))
    assert not _by(samples, "leadledger_escalations", "rule")
    assert _by(samples, "leadledger_open_clocks", "rule")


def test_each_family_is_declared_once(tmp_path: Path) -> None:
    text = generate_latest(registry_for(_runtime(_tables(), tmp_path))).decode()
    declared = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert len(declared) == len(set(declared))
    assert "leadledger_escalations_raised_total" in declared
