"""Figures computed at scrape time, as Prometheus custom collectors.

:class:`TableFigures` describes the data: escalations by rule, open clocks by rule and
clocks already due that no ``DeadlineDue`` has advanced yet. It reads the tables, which
a worker rebuilds from their changelogs, so a restarted worker reports the same figures:
they are gauges of what the tables hold, not counts of what this process saw.

:class:`ProcessCounts` exposes ``streams.runtime.Counters`` (per process, from zero at
start), :class:`ConsumerLag` the lag of each partition Faust's consumer holds, and
:class:`WatchdogExits` the commit watchdog's exits, from the file the exiting process
wrote (``streams/observability/exits.py``).

A collector that fails leaves its figures out of that scrape and logs why: one broken
figure does not take ``GET /metrics`` down with it.
"""

from __future__ import annotations

import json
import logging
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from projections.agreement.codec import agreement_from_json
from projections.dispute.state import dispute_from_json
from projections.history import Clock
from projections.lead.fold import state_from_json
from streams.observability.exits import exits_path, read_exits
from streams.observability.instruments import SINCE_START
from streams.runtime import Runtime
from streams.state import deadline_index

log = logging.getLogger(__name__)
SURVIVES = " Read from the tables at scrape time: survives a restart."

# aggregate (as the deadline index names it) -> the runtime's table and its state codec.
_STATES: dict[str, tuple[str, Callable[[bytes], Any]]] = {
    deadline_index.LEAD: ("leads", state_from_json),
    "agreement": ("agreements", agreement_from_json),
    "dispute": ("disputes", dispute_from_json),
}


class TableFigures(Collector):
    """Escalations by rule; open and due-but-unfired clocks by aggregate and rule."""

    def __init__(self, rt: Runtime, now: Callable[[], datetime] | None = None) -> None:
        self.rt = rt
        self.now = now or (lambda: datetime.now(UTC))

    def collect(self) -> Iterator[Metric]:
        yield from _guarded("escalations", self._escalations)
        yield from _guarded("clocks", self._clocks)

    def _escalations(self) -> Iterator[Metric]:
        # The rows GET /escalations lists: the same table, so the figures agree.
        by_rule = Tally(json.loads(raw)["rule"] for raw in self.rt.escalations.values())
        family = GaugeMetricFamily(
            "leadledger_escalations",
            "Escalations raised, by rule: the rows of the escalations table this worker"
            " holds (what GET /escalations lists)." + SURVIVES,
            labels=["rule"],
        )
        for rule, count in sorted(by_rule.items()):
            family.add_metric([rule], count)
        yield family

    def _clocks(self) -> Iterator[Metric]:
        now = self.now()
        open_clocks: Tally[tuple[str, str]] = Tally()
        due: Tally[tuple[str, str]] = Tally()
        for aggregate, clock in self.open_clocks():
            open_clocks[(aggregate, clock.rule)] += 1
            if clock.due_at <= now:
                due[(aggregate, clock.rule)] += 1
        opened = GaugeMetricFamily(
            "leadledger_open_clocks",
            "SLA clocks running, by aggregate (lead, agreement, dispute) and rule: the"
            " clocks in the states of the subjects the deadline index names." + SURVIVES,
            labels=["aggregate", "rule"],
        )
        unfired = GaugeMetricFamily(
            "leadledger_clocks_due_unfired",
            "Open clocks whose due time has passed and that no DeadlineDue has advanced"
            " yet (the timer asks every second: a figure that stays above zero means"
            " clocks are not firing)." + SURVIVES,
            labels=["aggregate", "rule"],
        )
        for (aggregate, rule), count in sorted(open_clocks.items()):
            opened.add_metric([aggregate, rule], count)
            unfired.add_metric([aggregate, rule], due.get((aggregate, rule), 0))
        yield opened
        yield unfired

    def open_clocks(self) -> Iterator[tuple[str, Clock]]:
        """Each open clock with its aggregate, from the states of the indexed subjects.

        A subject with an open clock has an entry in the deadline index (its entries land
        before its state is written), so only the subjects the index names are read:
        the cost is the open clocks', not every lead's. An entry can outlive its clock
        (a clock stopped early is left in the index until its due time); the state
        decides, and each subject is read once.
        """
        subjects: set[tuple[str, str]] = set()
        for raw in self.rt.deadlines.values():
            for entry in json.loads(raw):
                subjects.add((entry[2] if len(entry) > 2 else deadline_index.LEAD, entry[1]))
        for aggregate, subject in sorted(subjects):
            if aggregate not in _STATES:
                continue
            table_name, load = _STATES[aggregate]
            table = getattr(self.rt, table_name)
            raw_state = table.get(subject) if table is not None else None
            if raw_state is None:
                continue
            for clock in load(raw_state).clocks:
                yield aggregate, clock


# Counters' totals on GET /metrics: name -> help. The breakdown by type and reason
# (Counters.outcomes) is exposed as the events_* families instead of those totals, and
# admission_refused as leadledger_admission_refused_total, by partner and reason.
_TOTALS = {
    "duplicates": "Input messages that were redeliveries of an applied event (no-ops).",
    "escalations": "Escalations this process raised (the table's figure is"
    " leadledger_escalations).",
    "clocks_due_sent": "DeadlineDue requests the timer sent.",
    "commands_applied": "Internal commands between aggregates applied"
    " (ShareRecorded, SharedLeadReleased).",
    "commands_refused": "Internal commands between aggregates refused.",
    "admission_received": "Messages the admission step read from partners' publish topics.",
    "admission_admitted": "Messages the admission step forwarded to intake.",
    "feed_copies": "Messages copied to partners' feeds.",
}


class ProcessCounts(Collector):
    """``Counters`` as Prometheus counters, by event type and reason class.

    A counter must never go down, and ``tally.undo`` takes counts back when a batch is
    handled again (a send failed): for the moment until it is counted again, the value
    shown is the highest shown before, so a take-back never looks like a restart.
    """

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._shown: dict[tuple[str, tuple[str, ...]], float] = {}

    def _monotone(self, name: str, labels: tuple[str, ...], value: float) -> float:
        shown = max(value, self._shown.get((name, labels), 0))
        self._shown[(name, labels)] = shown
        return shown

    def collect(self) -> Iterator[Metric]:
        yield from _guarded("process counters", self._collect)

    def _collect(self) -> Iterator[Metric]:
        families = {
            "received": CounterMetricFamily(
                "leadledger_events_received",
                "Input messages the agents read (lead and agreement intake), by event type"
                " ('unknown' when it did not decode). received = processed + rejected,"
                " per type." + SINCE_START,
                labels=["type"],
            ),
            "processed": CounterMetricFamily(
                "leadledger_events_processed",
                "Input messages applied (duplicates included), by event type." + SINCE_START,
                labels=["type"],
            ),
            "rejected": CounterMetricFamily(
                "leadledger_events_rejected",
                "Input messages rejected, by event type and reason class (undecodable,"
                " oversized, out_of_range, contract, envelope, identity, not_permitted,"
                " reused_id, fold, internal, other)." + SINCE_START,
                labels=["type", "reason"],
            ),
        }
        for (outcome, event_type, reason), count in sorted(self.rt.counters.outcomes.items()):
            family = families.get(outcome)
            if family is None:
                continue
            labels = (event_type, reason) if outcome == "rejected" else (event_type,)
            family.add_metric(list(labels), self._monotone(outcome, labels, count))
        yield from families.values()
        totals = self.rt.counters.as_dict()
        for name, help_text in _TOTALS.items():
            # "escalations" would clash with the table's leadledger_escalations gauge.
            shown = "escalations_raised" if name == "escalations" else name
            family = CounterMetricFamily(f"leadledger_{shown}", help_text + SINCE_START)
            family.add_metric([], self._monotone(name, (), totals.get(name, 0)))
            yield family


class ConsumerLag(Collector):
    """Per partition the worker's consumer holds: messages past its committed offset."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        yield from _guarded("consumer lag", self._collect)

    def _collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "leadledger_consumer_lag",
            "Messages in a partition past the consumer group's committed offset (the"
            " high watermark of the last fetch, less the committed offset), for each"
            " partition this worker's Faust consumer holds that has both. A live reading.",
            labels=["topic", "partition"],
        )
        consumer = self.rt.app.consumer
        # Faust's view of what it committed, read only (as the commit watchdog does).
        committed = dict(consumer._committed_offset)
        for tp in sorted(consumer.assignment()):
            end, done = consumer.highwater(tp), committed.get(tp)
            if end is None or done is None:
                continue
            family.add_metric([tp.topic, str(tp.partition)], max(0, int(end) - int(done)))
        yield family


class WatchdogExits(Collector):
    """The commit watchdog's exits for this namespace, counted by the exiting workers."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "leadledger_watchdog_exits",
            "Times a worker of this namespace exited with status 75 for stalled commits"
            " (to be restarted by its supervisor), from $LEADLEDGER_HOME/watchdog-exits.json:"
            " survives restarts; workers sharing a home share the count.",
        )
        settings = self.rt.settings
        family.add_metric([], read_exits(exits_path(settings.home), settings.namespace))
        yield family


def _guarded(what: str, collect: Callable[[], Iterator[Metric]]) -> Iterator[Metric]:
    try:
        figures = list(collect())
    except Exception:
        log.exception("GET /metrics: the %s figures could not be computed", what)
        return
    yield from figures
