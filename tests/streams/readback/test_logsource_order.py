"""``replay kafka`` orders the topics by event time, each subject in its own log order."""

from __future__ import annotations

from streams.readback.event_log import LogRecord, event_time_order
from tests.support.leads import Lead, at


def test_a_backdated_subject_is_not_held_behind_a_later_one_in_its_partition() -> None:
    late, early, other = Lead("late"), Lead("early"), Lead("other")
    leads = [
        LogRecord("ns.leads", 0, 0, 0, late.captured(at(days=200))),
        LogRecord("ns.leads", 0, 1, 0, early.captured(at(days=1))),
        LogRecord("ns.leads", 0, 2, 0, early.activity(at(days=2))),
    ]
    agreements = [LogRecord("ns.agreements", 0, 0, 0, other.captured(at(days=5)))]
    order = [r.event.subject for r in event_time_order([leads, agreements])]
    assert order == ["early", "early", "other", "late"]


def test_a_subject_whose_times_go_back_keeps_its_log_order() -> None:
    lead, other = Lead("L"), Lead("O")
    records = [
        LogRecord("ns.leads", 0, 0, 0, lead.captured(at(10))),
        LogRecord("ns.leads", 0, 1, 0, lead.activity(at(1))),  # goes back in time
    ]
    others = [LogRecord("ns.leads", 1, 0, 0, other.captured(at(5)))]
    order = [r.event.event_id for r in event_time_order([records, others])]
    assert order == ["O-captured-1", "L-captured-1", "L-activity-2"]
