"""What the fold decided on each record of the record log: accepted or refused, and why.

The record log holds every event the folds *decided on*, accepted or refused, in the
order decided, hash-chained, so a refusal cannot be hidden after the fact. Nothing on
the wire says which records were refusals: the fold is deterministic, so folding the
log again (``projections.replay``) decides each record exactly as the worker did, with
the worker's reasons.

The reasons are the ones the worker put on the rejections topic for the event:

- a refused share (``LeadShared``) is answered with a ``LeadShareRejected`` listing
  every reason (``data.reasons``, ``data.share_event_id`` names the share);
- any other refusal with an ``EventRejected`` whose ``data.reasons`` is the fold's one
  reason (``data.rejected_event_id`` names the event). The worker bounds those reasons
  (``streams.delivery.rejections.bounded_reasons``); the shell applies the same bound
  when it prints them, so this module stays free of delivery limits.

Refusals made before the fold (undecodable or oversized bytes, a wrong key or type,
an admission or identity refusal, a time outside the contract's range, an event id
reused with other content) never reach the record log: they are on the rejections
topic only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from projections.history import iso_z
from projections.outcome import Outcome
from schemas.envelope import Envelope
from schemas.system_events import LeadShareRejected

Verdict = Literal["accepted", "refused", "repeated", "not folded"]
ACCEPTED: Verdict = "accepted"
REFUSED: Verdict = "refused"
REPEATED: Verdict = "repeated"
"""A second copy of an event already applied (a redelivery the recorder appended
again before its chain head landed): the fold skipped it, as the worker did."""
NOT_FOLDED: Verdict = "not folded"
"""A record replay does not fold: a time past the contract's range (recorded before
the range existed), or a system type no publisher may send."""

Answer = Literal["EventRejected", "LeadShareRejected"]


@dataclass(frozen=True, slots=True)
class Decision:
    event: Envelope
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    answered_with: Answer | None = None  # the record on the rejections topic, if refused

    @property
    def refused(self) -> bool:
        return self.verdict == REFUSED

    def row(self) -> dict[str, Any]:
        """The ``replay --rejections`` row and the ``export --outcomes`` line's body."""
        event = self.event
        body: dict[str, Any] = {
            "event_id": event.event_id,
            "type": event.type,
            "subject": event.subject,
            "occurred_at": iso_z(event.occurred_at),
        }
        if self.refused:
            body |= {"reasons": list(self.reasons), "answered_with": self.answered_with}
        return body


def decision_of(event: Envelope, outcome: Outcome[Any]) -> Decision:
    """The verdict on ``event`` from its fold's outcome, as the agents read it.

    The lead agent rejects when the outcome has a rejection or no state (an event for
    an unknown lead); the agreement agent when it has a rejection. A refused share is
    the one refusal that changes the state (the receiver is barred): its reasons are
    those of its ``LeadShareRejected``.
    """
    if outcome.rejection is None and outcome.state is not None:
        return Decision(event, REPEATED if outcome.duplicate else ACCEPTED)
    for emitted in outcome.emitted:
        if isinstance(emitted, LeadShareRejected) and (
            emitted.data.share_event_id == event.event_id
        ):
            return Decision(event, REFUSED, tuple(emitted.data.reasons), "LeadShareRejected")
    return Decision(event, REFUSED, (outcome.rejection or "refused",), "EventRejected")


def fold_failed(event: Envelope, exc: Exception) -> Decision:
    """A record whose fold raised: the worker rejected it with this reason (the agents'
    last resort, ``streams.delivery.emit.reject_failure``). Only a record log written
    before the agents folded before recording can hold one."""
    return Decision(
        event, REFUSED, (f"internal error: {type(exc).__name__}: {exc}",), "EventRejected"
    )


def counts(decisions: Iterable[Decision]) -> Counter[Verdict]:
    return Counter(d.verdict for d in decisions)


def summary(tally: Counter[Verdict]) -> str:
    """``7 accepted, 2 refused`` (and any repeated or not folded records)."""
    parts = [f"{tally[ACCEPTED]} accepted", f"{tally[REFUSED]} refused"]
    parts += [f"{tally[v]} {v}" for v in (REPEATED, NOT_FOLDED) if tally[v]]
    return ", ".join(parts)
