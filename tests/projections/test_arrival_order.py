"""Issue 17, item 2: live equals replay when events arrive out of event-time order.

The reproduction: an agreement's termination is published before shares made under it
earlier in event time (a backfill, a partner publishing late). The live worker's timer
ends the agreement on the wall clock before the shares arrive; replay, on event time,
admits the shares while the agreement is still ACTIVE and ends it later.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from projections.agreement.codec import to_view as agreement_view
from projections.lead.state import to_view as lead_view
from projections.partner_view.fold import to_view as partner_view
from projections.policy import Policy
from projections.replay import ReplayResult, replay
from schemas.envelope import Envelope
from streams.readback.event_log import LogRecord, event_time_order
from tests.support.agreements import Agreement, at
from tests.support.live_model import live_fold
from tests.support.partners import SharedLead

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # the wall clock, after every event


def in_event_time(arrival: list[Envelope]) -> list[Envelope]:
    """The order ``replay kafka`` and ``export`` read the record log in, arrival order
    standing in for the log positions (one partition)."""
    records = [LogRecord("log", 0, n, 0, e) for n, e in enumerate(arrival)]
    return [r.event for r in event_time_order([records])]


def answers(result: ReplayResult) -> dict[str, Any]:
    """Everything a reader can see: escalation ids, rejections, every view."""
    return {
        "escalations": sorted(
            (e.data.escalation_id, e.data.rule, e.subject) for e in result.escalations
        ),
        "rejections": sorted(result.rejections),
        "leads": {k: lead_view(v) for k, v in sorted(result.leads.items())},
        "agreements": {a.agreement_id: agreement_view(a, NOW) for a in result.agreements.all()},
        "partners": {k: partner_view(v) for k, v in sorted(result.partners.items())},
    }


def terminated_before_its_shares() -> tuple[list[Envelope], list[Envelope]]:
    """(agreement stream, lead streams): shares on day 55, response due 48 h later; the
    termination on day 56 takes effect on day 86 (30 days' notice)."""
    deal, one, two = Agreement("AG1"), SharedLead("L1"), SharedLead("L2")
    agreement = [deal.proposed(at(0)), *deal.signed_by_all(at(1)), deal.terminated(at(56))]
    leads = [
        *(one.captured(at(54)), one.consent(at(54)), one.shared(at(55))),
        *(two.captured(at(54)), two.consent(at(54)), two.shared(at(55, hours=1))),
    ]
    return agreement, leads


def test_a_termination_published_before_earlier_shares_decides_as_in_event_time() -> None:
    agreement, leads = terminated_before_its_shares()
    arrival = [*agreement, *leads]  # the termination is in the log before the shares
    replayed = replay(in_event_time(arrival), NOW, Policy())
    rules = sorted((e.data.rule, e.subject) for e in replayed.escalations)
    assert rules == [("PARTNER_NOT_RESPONDED", "L1"), ("PARTNER_NOT_RESPONDED", "L2")]
    assert [s.status for s in replayed.leads["L1"].shares] == ["returned"]

    live = live_fold(arrival, NOW, Policy())
    assert answers(live) == answers(replayed)
