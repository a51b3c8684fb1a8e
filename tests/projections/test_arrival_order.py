"""Issue 17, item 2: live equals replay when events arrive out of event-time order.

The reproduction: an agreement's termination is published before shares made under it
earlier in event time (a backfill, a partner publishing late). The live worker's timer
ends the agreement on the wall clock before the shares arrive; replay, on event time,
admits the shares while the agreement is still ACTIVE and ends it later.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any, cast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.agreement.codec import to_view as agreement_view
from projections.lead.state import to_view as lead_view
from projections.partner_view.fold import to_view as partner_view
from projections.policy import Policy
from projections.replay import KIND_OF, ReplayResult, replay
from schemas.agreement_events import AgreementTerminated, PartnerResponded
from schemas.envelope import Envelope
from schemas.events import Event
from streams.readback.event_log import LogRecord, event_time_order
from tests.support.agreements import Agreement, at
from tests.support.live_model import live_fold
from tests.support.partners import SharedLead

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # the wall clock, after every event


def in_event_time(arrival: list[Envelope]) -> list[Envelope]:
    """The order ``replay kafka`` and ``export`` read the record log in, arrival order
    standing in for the log positions (one partition)."""
    records = [LogRecord("log", 0, n, 0, cast(Event, e)) for n, e in enumerate(arrival)]
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


# The property: any arrival order that keeps each subject's own order, and in which
# an agreement's facts in effect by a time come before a lead event of that time
# (the ordering guarantee, docs/partners.md#ordering-guarantee), gives the live worker
# the answers replay gives, and replay the same answers whatever the order.

ORDER = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOTICE = timedelta(days=30)  # the default terms' termination notice


@st.composite
def agreement_stream(draw: st.DrawFn, n: int) -> list[Envelope]:
    """Proposed, signed by both parties, perhaps terminated (effective 30 days on)."""
    deal, minutes = Agreement(f"AG{n}"), 10 + n  # no two subjects share an instant
    signed = at(draw(st.integers(1, 3)), hours=minutes / 60)
    events = [deal.proposed(at(0, hours=minutes / 60)), *deal.signed_by_all(signed)]
    if draw(st.booleans()):
        events.append(deal.terminated(at(draw(st.integers(10, 60)), hours=minutes / 60)))
    return events


@st.composite
def lead_stream(draw: st.DrawFn, n: int, agreements: int) -> list[Envelope]:
    """Captured with consent, shared under one agreement, perhaps answered (in time or
    not, before or after the agreement's end)."""
    lead, minutes = SharedLead(f"L{n}"), 20 + n
    captured = at(draw(st.integers(5, 80)), hours=minutes / 60)
    shared = captured + timedelta(hours=draw(st.integers(1, 30)))
    ag = f"AG{draw(st.integers(0, agreements - 1))}"
    events: list[Envelope] = [lead.captured(captured), lead.consent(captured)]
    events.append(lead.shared(shared, ag=ag))
    if draw(st.booleans()):
        answered = shared + timedelta(hours=draw(st.integers(1, 100)))
        events.append(lead.responded(answered, accepted=draw(st.booleans())))
    return events


def in_effect_from(event: Envelope) -> datetime:
    """When an agreement event starts to count for a share: a termination at its
    effective time, anything else when it occurred."""
    if isinstance(event, AgreementTerminated):
        return max(event.data.effective_at, event.occurred_at + NOTICE)
    return event.occurred_at


def interleave(streams: list[list[Envelope]], rng: Random) -> list[Envelope]:
    """A random merge keeping each stream's order, where a lead event comes after every
    agreement event already in effect at its time."""
    pending = [list(s) for s in streams if s]
    agreement_events = [e for s in streams for e in s if KIND_OF.get(type(e)) == "agreement"]
    published: set[str] = set()
    arrival: list[Envelope] = []

    responses = [e for s in streams for e in s if isinstance(e, PartnerResponded)]

    def ready(event: Envelope) -> bool:
        if isinstance(event, AgreementTerminated):
            # The known exception (docs/auditors.md): a response made before the end
            # that reaches the agreement after the end released its share.
            end = in_effect_from(event)
            early = (r for r in responses if r.occurred_at < end)
            return all(r.event_id in published for r in early)
        if KIND_OF.get(type(event)) == "agreement":
            return True
        due = (e for e in agreement_events if in_effect_from(e) <= event.occurred_at)
        return all(e.event_id in published for e in due)

    while pending:
        heads = [s for s in pending if ready(s[0])]
        stream = rng.choice(heads)  # never empty: what waits, waits for earlier times
        event = stream.pop(0)
        published.add(event.event_id)
        arrival.append(event)
        pending = [s for s in pending if s]
    return arrival


@st.composite
def backfills(draw: st.DrawFn) -> tuple[list[Envelope], list[Envelope]]:
    """(one arrival order, the same streams in event-time order)."""
    agreements = draw(st.integers(1, 2))
    streams = [draw(agreement_stream(n)) for n in range(agreements)]
    streams += [draw(lead_stream(n, agreements)) for n in range(draw(st.integers(1, 4)))]
    arrival = interleave(streams, draw(st.randoms(use_true_random=False)))
    by_time = sorted((e for s in streams for e in s), key=lambda e: e.occurred_at)
    return arrival, by_time


@ORDER
@given(backfills())
def test_any_arrival_order_gives_live_and_replay_the_same_answers(
    backfill: tuple[list[Envelope], list[Envelope]],
) -> None:
    arrival, by_time = backfill
    replayed = answers(replay(in_event_time(arrival), NOW, Policy()))
    assert replayed == answers(replay(in_event_time(by_time), NOW, Policy()))
    assert answers(live_fold(arrival, NOW, Policy())) == replayed
