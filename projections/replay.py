"""Fold an event log on event time up to ``as_of``: the auditors' answer.

A discrete-event simulation over every aggregate (leads, agreements, disputes, partner
views). The log is applied in log order (file order, or Kafka's per-partition order);
events after ``as_of`` are left out. Before an event at time t, every clock of every
aggregate due at or before t fires, earliest first (one heap of next due times), so an
agreement's termination releases its leads before a later lead event, as the live
timer would have. What a fold emits for another aggregate (``ShareRecorded``,
``SharedLeadReleased``, ``PartnerActivity``) is applied right after the event that
emitted it. A log whose times go backwards is still applied in log order.

Every record fed to the fold gets a :class:`~projections.decisions.Decision`, accepted
or refused and why, as the worker decided it (``projections/decisions.py``):
:func:`decide_log` gives one per record (``export``, ``verify``), :func:`refusals_up_to`
the refused ones (``replay --rejections``).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean
from typing import Any

from projections.agreement import fold as agreement
from projections.agreement.state import AgreementBook
from projections.compliance.partner import PartnerPrivacy, fold_privacy
from projections.decisions import NOT_FOLDED, Decision, decision_of, fold_failed
from projections.dispute import fold as dispute
from projections.dispute.state import DisputeState
from projections.history import iso_z
from projections.lead import fold as lead
from projections.lead.fold import LeadState
from projections.partner_view.fold import fold_activity
from projections.partner_view.state import PartnerView
from projections.policy import Policy
from schemas.envelope import Envelope
from schemas.events import PARTNER_EVENT_TYPES
from schemas.lead_events import LeadCaptured
from schemas.partner_system_events import PartnerActivity, SharedLeadReleased, ShareRecorded
from schemas.system_events import EscalationRaised
from schemas.times import LATEST

COMMANDS = (ShareRecorded, SharedLeadReleased)
KIND_OF: dict[type[Envelope], str] = dict.fromkeys((LeadCaptured, *lead.HANDLERS), "lead")
KIND_OF |= dict.fromkeys(agreement.HANDLERS, "agreement")
KIND_OF |= dict.fromkeys(dispute.HANDLERS, "dispute")


@dataclass
class ReplayResult:
    leads: dict[str, LeadState] = field(default_factory=dict)
    agreements: AgreementBook = field(default_factory=AgreementBook)
    disputes: dict[str, DisputeState] = field(default_factory=dict)
    partners: dict[str, PartnerView] = field(default_factory=dict)
    privacy: dict[str, PartnerPrivacy] = field(default_factory=dict)  # compliance, per partner
    escalations: list[EscalationRaised] = field(default_factory=list)
    rejections: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)
    refusals: list[Decision] = field(default_factory=list)
    """The records the fold refused, in log order, with the worker's reasons. Unlike
    ``rejections`` (every refusal, clocks' and commands' included, by cause), only
    records of the log: what ``replay --rejections`` lists."""
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (event id, reason)
    """Records whose fold raised, left out and counted: the live worker rejected such an
    event and went on (one written before the worker folded before recording may still
    be on the log). A record whose time is outside today's range was accepted before
    the range existed and is folded as the worker folded it: replay gives the live
    answer, not today's door's."""

    def escalation_rows(self) -> list[dict[str, object]]:
        """The ``replay --escalations`` answer: sorted by due_at, then subject."""
        rows = sorted(self.escalations, key=lambda e: (e.data.due_at, e.subject))
        return [
            {
                "rule": e.data.rule,
                "subject": e.subject,
                "due_at": iso_z(e.data.due_at),
                "escalation_id": e.data.escalation_id,
                "notify": e.data.notify,
                "action": e.data.action,
                "details": e.data.details,
            }
            for e in rows
        ]


class Simulation:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.result = ReplayResult()
        self._heap: list[tuple[datetime, int, str, str]] = []
        self._order = itertools.count()

    def feed(self, event: Envelope) -> Decision:
        """Fold one record of the log; what the fold decided on it."""
        self.run_clocks(event.occurred_at)
        try:
            outcome = self.apply(event, event.event_id)
        except Exception as exc:  # the live worker rejects it and goes on; so does replay
            self.result.skipped.append((event.event_id, f"the fold failed: {exc!r}"))
            decision = fold_failed(event, exc)
        else:
            folded = outcome is not None
            decision = decision_of(event, outcome) if folded else Decision(event, NOT_FOLDED)
        if decision.refused:
            self.result.refusals.append(decision)
        return decision

    def apply(self, event: Envelope, cause: str) -> Any:
        """Fold ``event`` into its aggregate; the fold's outcome, or None for what is
        output only or a partner view's activity."""
        if isinstance(event, PartnerActivity):
            views = self.result.partners
            views[event.subject] = fold_activity(views.get(event.subject), event)
            held = self.result.privacy
            held[event.subject] = fold_privacy(held.get(event.subject), event)
        elif isinstance(event, EscalationRaised):
            self.result.escalations.append(event)
        elif (kind := KIND_OF.get(type(event))) is not None:
            outcome = self._evolve(kind, event)
            self._settle(kind, event.subject, outcome, cause)
            return outcome
        # Anything else (notifications, deadlines, share rejections) is output only.
        return None

    def run_clocks(self, now: datetime) -> None:
        """Fire every clock due at or before ``now``, across aggregates, in due order."""
        while self._heap and self._heap[0][0] <= now:
            due, _, kind, subject = heapq.heappop(self._heap)
            state = self._get(kind, subject)
            if state is None or _next_due(state) != due:
                continue  # stale entry: the clock was stopped or already fired
            self._settle(kind, subject, self._advance(kind, state, due), f"clock:{subject}")

    # A lead folds with ``outputs=False``: the deadlines and notifications it would emit
    # are output only (``apply`` drops them), so they are not built (``Step.outputs``).
    def _evolve(self, kind: str, event: Envelope) -> Any:
        state, policy = self._get(kind, event.subject), self.policy
        if kind == "lead":
            return lead.evolve(state, event, policy, self.result.agreements, outputs=False)
        if kind == "agreement":
            return agreement.evolve_agreement(state, event, policy)
        return dispute.evolve_dispute(state, event, policy, self.result.agreements)

    def _advance(self, kind: str, state: Any, now: datetime) -> Any:
        if kind == "lead":
            return lead.advance(state, now, self.policy, outputs=False)
        if kind == "agreement":
            return agreement.advance_agreement(state, now, self.policy)
        return dispute.advance_dispute(state, now, self.policy)

    def _get(self, kind: str, subject: str) -> Any:
        if kind == "agreement":
            return self.result.agreements.get(subject)
        store: dict[str, Any] = self.result.leads if kind == "lead" else self.result.disputes
        return store.get(subject)

    def _settle(self, kind: str, subject: str, outcome: Any, cause: str) -> None:
        if outcome.state is not None:
            if kind == "agreement":
                self.result.agreements.put(outcome.state)
            elif kind == "lead":
                self.result.leads[subject] = outcome.state
            else:
                self.result.disputes[subject] = outcome.state
            if (due := _next_due(outcome.state)) is not None:
                heapq.heappush(self._heap, (due, next(self._order), kind, subject))
        if outcome.rejection:
            self.result.rejections.append((cause, outcome.rejection))
        # What the aggregate says about itself (partner activities, escalations) is
        # folded before the commands it sends others: a command's consequences (a lead
        # released at once by an ended agreement) must not overtake the activity that
        # announced the share.
        if not outcome.emitted:
            return  # the usual case in replay, which builds no output-only events
        commands = [e for e in outcome.emitted if isinstance(e, COMMANDS)]
        for emitted in [e for e in outcome.emitted if not isinstance(e, COMMANDS)] + commands:
            self.apply(emitted, emitted.event_id)


def _next_due(state: Any) -> datetime | None:
    return min((c.due_at for c in state.clocks), default=None)


class UnrecordedEventError(ValueError):
    """``known_at`` asked of a log with an event the system never recorded."""

    def __init__(self, event: Envelope) -> None:
        super().__init__(
            f"event {event.event_id!r} ({event.subject}) has no record stamp, so when the "
            "system learned of it is unknown; --known-at needs the record log "
            "(`leadledger export` or `kafka`), not a partner's own log"
        )
        self.event_id = event.event_id


def replay(
    events: Iterable[Envelope],
    as_of: datetime,
    policy: Policy,
    known_at: datetime | None = None,
) -> ReplayResult:
    """What was true at ``as_of``; with ``known_at``, as far as the system knew then.

    ``known_at`` keeps only events recorded (``record.recorded_at``) at or before it,
    still in log order: an event that occurred early but was recorded late is left out
    until it was recorded. An unrecorded event makes that question unanswerable, so it
    raises :class:`UnrecordedEventError` rather than guessing.
    """
    simulation = Simulation(policy)
    for event in events:
        if known_at is not None and not _known_by(event, known_at):
            continue
        if _foldable(event, as_of):
            simulation.feed(event)
    simulation.run_clocks(as_of)
    return simulation.result


def _foldable(event: Envelope, as_of: datetime) -> bool:
    # The system's own types in a log are outputs, never inputs: the live worker
    # refuses them on the input topics, so a forged escalation or partner activity
    # must not reach an auditor's answer either.
    return event.occurred_at <= as_of and event.type in PARTNER_EVENT_TYPES


FOLDED_UNTIL = LATEST - timedelta(microseconds=1)
"""The last moment replay folds: a record dated past the contract's range (the 9999
poison of issue 20) is never folded, as no ``--as-of`` reaches it."""


def decide_log(events: Iterable[Envelope], policy: Policy) -> tuple[list[Decision], ReplayResult]:
    """One decision per record, in the order given, and the fold's result.

    The whole log is folded, as the worker folded it: a record's verdict depends only
    on the records before it, never on a time asked about.
    """
    simulation = Simulation(policy)
    decisions = [
        simulation.feed(event) if _foldable(event, FOLDED_UNTIL) else Decision(event, NOT_FOLDED)
        for event in events
    ]
    return decisions, simulation.result


def refusals_up_to(
    events: Iterable[Envelope],
    as_of: datetime,
    policy: Policy,
    known_at: datetime | None = None,
) -> tuple[list[Decision], ReplayResult]:
    """The refused records that occurred by ``as_of`` (recorded by ``known_at``), in log
    order, each once; and the fold's result.

    Each is decided over the log as the worker decided it (folded in log order up to
    the end of the range, ``known_at`` leaving out what was recorded after it), not by
    a fold cut at ``as_of``: an event backdated before ``as_of`` but recorded after a
    later one was decided with that later one known, and its refusal (or acceptance)
    stands whatever time an auditor asks about. A redelivered copy refused again under
    the same id and reasons is listed once, as the rejections topic keys it once.
    """
    result = replay(events, FOLDED_UNTIL, policy, known_at)
    listed: list[Decision] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for decision in result.refusals:
        key = (decision.event.event_id, decision.reasons)
        if decision.event.occurred_at <= as_of and key not in seen:
            seen.add(key)
            listed.append(decision)
    return listed, result


def _known_by(event: Envelope, known_at: datetime) -> bool:
    if event.record is None:
        raise UnrecordedEventError(event)
    return event.record.recorded_at <= known_at


replay_leads = replay
"""The name the lead-lifecycle callers use; it now folds every aggregate."""


def weekly_mql_follow_up(leads: Iterable[LeadState]) -> list[dict[str, object]]:
    """Average hours from MQL to the first sales decision, by the ISO week of the MQL."""
    weeks: dict[str, list[float]] = {}
    for state in leads:
        if state.mql_at is None or state.decided_at is None:
            continue
        year, week, _ = state.mql_at.isocalendar()
        hours = (state.decided_at - state.mql_at).total_seconds() / 3600
        weeks.setdefault(f"{year}-W{week:02d}", []).append(hours)
    return [
        {"week": week, "average_hours": round(mean(hours), 2), "count": len(hours)}
        for week, hours in sorted(weeks.items())
    ]
