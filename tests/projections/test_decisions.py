"""Replay decides each record of the record log as the worker did (issue 17, items 3, 4).

The record log holds every event the folds decided on, refused ones too; the fold is
deterministic, so replay tells which were refused and why, with nothing on the wire.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from projections.decisions import (
    ACCEPTED,
    NOT_FOLDED,
    REFUSED,
    REPEATED,
    Decision,
    counts,
    fold_failed,
    summary,
)
from projections.policy import Policy
from projections.replay import FOLDED_UNTIL, decide_log, refusals_up_to, replay
from schemas.envelope import Envelope
from schemas.lead_events import LeadActivity
from tests.support.leads import Lead, at
from tests.support.partners import SharedLead
from tests.support.recorded import recorded

POLICY = Policy()


def a_log() -> list[Envelope]:
    one, ghost, shared = Lead("L1"), Lead("L-ghost"), SharedLead("L-share")
    log = recorded(
        [
            one.captured(),
            one.activity(at(1), points=10),
            ghost.activity(at(2)),  # no such lead
            one.status(at(3), "SQL"),  # not allowed from INQUIRY
            shared.captured(at(0)),
            shared.shared(at(4), ag="AG-none"),  # no such agreement
        ]
    )
    # Redelivered copies the recorder appended again (its chain head had not landed).
    return [*log, log[1], log[2]]


def verdicts(decisions: list[Decision]) -> list[tuple[str, str]]:
    return [(d.event.event_id, d.verdict) for d in decisions]


def test_each_record_gets_the_verdict_the_agents_give_it() -> None:
    decisions, _ = decide_log(a_log(), POLICY)
    assert verdicts(decisions) == [
        ("L1-captured-1", ACCEPTED),
        ("L1-activity-2", ACCEPTED),
        ("L-ghost-activity-1", REFUSED),
        ("L1-status-3", REFUSED),
        ("L-share-captured-1", ACCEPTED),
        ("L-share-shared-2", REFUSED),
        ("L1-activity-2", REPEATED),  # the lead remembers it: a duplicate
        ("L-ghost-activity-1", REFUSED),  # no lead to remember it: refused again
    ]
    assert summary(counts(decisions)) == "3 accepted, 4 refused, 1 repeated"


def test_the_reasons_are_the_folds_and_say_which_record_answered_them() -> None:
    decisions, _ = decide_log(a_log(), POLICY)
    refused = {d.event.event_id: (d.answered_with, d.reasons) for d in decisions if d.refused}
    assert refused == {
        "L-ghost-activity-1": ("EventRejected", ("LeadActivity for unknown lead L-ghost",)),
        "L1-status-3": (
            "EventRejected",
            ("illegal transition INQUIRY -> SQL (allowed from INQUIRY: MAQL)",),
        ),
        # A refused share is answered with a LeadShareRejected listing every reason.
        "L-share-shared-2": ("LeadShareRejected", ("unknown agreement AG-none",)),
    }


def test_rejections_up_to_a_time_list_each_refusal_once_in_log_order() -> None:
    listed, _ = refusals_up_to(a_log(), at(3), POLICY)
    assert [d.event.event_id for d in listed] == ["L-ghost-activity-1", "L1-status-3"]
    everything, _ = refusals_up_to(a_log(), FOLDED_UNTIL, POLICY)
    assert len(everything) == 3  # the refused copy is listed once, as the topic keys it
    row = everything[0].row()
    assert row == {
        "event_id": "L-ghost-activity-1",
        "type": "LeadActivity",
        "subject": "L-ghost",
        "occurred_at": "2026-11-02T11:00:00Z",
        "reasons": ["LeadActivity for unknown lead L-ghost"],
        "answered_with": "EventRejected",
    }


def test_a_backdated_event_keeps_the_verdict_the_worker_gave_it() -> None:
    """Captured at 10:00 and recorded first; an activity dated 09:30 came after it. The
    worker accepted the activity (the lead existed). A fold cut at 09:45 has no lead and
    refuses it, so --rejections decides over the whole log and only then filters by time.
    """
    lead = Lead("L-back")
    log = recorded([lead.captured(at(1)), lead.activity(at(0.5), points=5)])
    cut = replay(log, at(0.75), POLICY)
    assert [d.event.event_id for d in cut.refusals] == ["L-back-activity-2"]
    listed, _ = refusals_up_to(log, at(0.75), POLICY)
    assert listed == []


def test_known_at_leaves_out_what_was_recorded_later() -> None:
    one, ghost = Lead("L1"), Lead("L-ghost")
    early, late = datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 5, tzinfo=UTC)
    log = recorded(
        [one.captured(), ghost.activity(at(1)), ghost.activity(at(2))],
        recorded_at=[early, early, late],
    )
    listed, _ = refusals_up_to(
        log, FOLDED_UNTIL, POLICY, known_at=datetime(2026, 11, 3, tzinfo=UTC)
    )
    assert [d.event.event_id for d in listed] == ["L-ghost-activity-1"]


def test_a_record_past_the_range_is_not_folded_and_one_whose_fold_raised_is_refused() -> None:
    lead = Lead("L9")
    body = lead.activity(at(1)).model_dump(mode="json") | {"occurred_at": "9999-12-31T23:40:00Z"}
    poison = LeadActivity.model_validate(body, context={"as_recorded": True})
    decisions, _ = decide_log(recorded([lead.captured(), poison]), POLICY)
    assert [d.verdict for d in decisions] == [ACCEPTED, NOT_FOLDED]
    failed = fold_failed(poison, OverflowError("date value out of range"))
    # The agents' last resort words it so (streams.delivery.emit.reject_failure).
    assert failed.reasons == ("internal error: OverflowError: date value out of range",)
    assert failed.refused


def test_summary_names_only_the_kinds_there_are() -> None:
    assert summary(Counter()) == "0 accepted, 0 refused"
    assert summary(Counter({NOT_FOLDED: 2, ACCEPTED: 1})) == "1 accepted, 0 refused, 2 not folded"
