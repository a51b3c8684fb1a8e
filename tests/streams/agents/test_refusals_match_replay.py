"""The worker's refusals, read back off the record log by replay (issue 17, items 3, 4).

The real lead and agreement agents handle a run of events with topics that keep what
was sent. What they left on the rejections topic for a record of the record log must
be what ``refusals_up_to`` decides over that record log: same event ids, same reasons,
byte for byte. What was refused before the fold (a mis-keyed event) is on the
rejections topic only, and a redelivered duplicate is neither refused nor recorded.
"""

from __future__ import annotations

from typing import Any

from projections.policy import Policy
from projections.replay import FOLDED_UNTIL, decide_log, refusals_up_to
from schemas.codec import decode, encode
from schemas.system_events import EventRejected, LeadShareRejected
from streams.agents.agreement import handle_agreement_message
from streams.agents.lead import handle_lead_message
from streams.cli.refusals import rejection_rows
from tests.streams.agents.test_clock_send_order import Topic
from tests.streams.agents.test_fold_before_record import AgreementsTopic
from tests.streams.agents.test_lead_send_order import runtime
from tests.support.agreements import Agreement
from tests.support.leads import Lead, at
from tests.support.partners import SharedLead


def worker() -> Any:
    rt = runtime(Topic())
    rt.agreements, rt.disputes = {}, {}
    rt.agreements_topic, rt.agreement_log_topic = AgreementsTopic(), Topic()
    rt.partner_activity_topic = Topic()
    return rt


def live_refusals(rt: Any) -> dict[str, tuple[str, list[str]]]:
    """Event id -> (the rejection's type, its reasons), off the rejections topic."""
    found: dict[str, tuple[str, list[str]]] = {}
    for value in rt.rejections_topic.sent:
        rejection = decode(value)
        if isinstance(rejection, EventRejected) and rejection.data.rejected_event_id:
            found[rejection.data.rejected_event_id] = ("EventRejected", rejection.data.reasons)
        elif isinstance(rejection, LeadShareRejected):
            found[rejection.data.share_event_id] = ("LeadShareRejected", rejection.data.reasons)
    return found


async def test_replay_of_the_record_log_refuses_what_the_worker_refused_with_its_reasons() -> None:
    one, ghost, shared = Lead("L1"), Lead("L-ghost"), SharedLead("L-share")
    miskeyed = Lead("L-miskeyed").captured()
    captured = one.captured()
    activity = one.activity(at(1), points=10)
    lead_events = [
        (captured, b"L1"),
        (activity, b"L1"),
        (ghost.activity(at(2)), b"L-ghost"),
        (one.status(at(3), "SQL"), b"L1"),
        (shared.captured(at(0)), b"L-share"),
        (shared.shared(at(4), ag="AG-none"), b"L-share"),
        (miskeyed, b"someone-else"),  # refused before the fold: never recorded
        (activity, b"L1"),  # redelivered: a duplicate
    ]
    rt = worker()
    for offset, (event, key) in enumerate(lead_events):
        await handle_lead_message(rt, key, encode(event), 0, offset)
    unsigned = Agreement("AG-ghost").signed(at(5), "gen")  # no such agreement
    await handle_agreement_message(rt, b"AG-ghost", encode(unsigned), 0, 0)

    record_log = [
        decode(v, as_recorded=True) for v in [*rt.lead_log_topic.sent, *rt.agreement_log_topic.sent]
    ]
    recorded_ids = [e.event_id for e in record_log]
    live = live_refusals(rt)
    assert miskeyed.event_id in live
    assert miskeyed.event_id not in recorded_ids
    assert recorded_ids.count(activity.event_id) == 1

    refused, _ = refusals_up_to(record_log, FOLDED_UNTIL, Policy())
    replayed = {
        row["event_id"]: (row["answered_with"], row["reasons"]) for row in rejection_rows(refused)
    }
    on_the_log = {event_id: why for event_id, why in live.items() if event_id in recorded_ids}
    assert replayed == on_the_log
    assert set(replayed) == {
        "L-ghost-activity-1",
        "L1-status-3",
        "L-share-shared-2",
        unsigned.event_id,
    }
    decisions, _ = decide_log(record_log, Policy())
    accepted = [d.event.event_id for d in decisions if d.verdict == "accepted"]
    assert accepted == [captured.event_id, activity.event_id, "L-share-captured-1"]
    # Processed: three accepted and the duplicate; rejected: four refusals and the mis-keyed.
    assert (rt.counters.processed, rt.counters.rejected) == (4, 5)
