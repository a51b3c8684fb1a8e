"""A pure model of how the live worker folds a backfill, to compare with replay.

The worker applies intake in arrival order, not event-time order. Three things differ
from replay's discrete-event simulation, and the model does each the way the worker
does (docs/reliability.md, docs/partners.md#ordering-guarantee):

- **Clocks run on the wall clock once a subject's own intake is in.** The timer asks
  for no due clock of a partition that still has fetched events to apply, and each fold
  advances its subject's clocks to an event's time before applying it: while a
  subject's backlog lasts its clocks fire on event time. Once an agreement's last event
  is applied, every clock of it due by ``now`` (the wall time, after every event of a
  backfill) fires at once, whatever lead intake is still queued: a termination
  published first has taken effect before the shares that come after it in arrival
  order. Lead clocks likewise, at the end.
- **Commands follow the event that emitted them.** ``ShareRecorded`` and
  ``SharedLeadReleased`` travel on the clocks topic and the clock agent applies them
  within moments, as replay applies them right after the emitting event. What they
  decide depends on whatever the agreement had applied by then: in a backfill, an end
  the timer applied on the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from projections.policy import Policy
from projections.replay import KIND_OF, ReplayResult, Simulation
from schemas.envelope import Envelope


class LiveModel(Simulation):
    def __init__(self, policy: Policy, now: datetime) -> None:
        super().__init__(policy)
        self.now = now

    def take(self, event: Envelope, *, last_of_subject: bool) -> None:
        """One intake event, as the agent that owns its subject applies it."""
        try:
            self.apply(event, event.event_id)
        except Exception as exc:  # the worker rejects it and goes on
            self.result.skipped.append((event.event_id, f"the fold failed: {exc!r}"))
        agreement = KIND_OF.get(type(event)) == "agreement"
        if agreement and last_of_subject and (state := self.result.agreements.get(event.subject)):
            # The agreements' timer, on the wall clock, once the backlog is applied.
            self._settle(
                "agreement",
                event.subject,
                self._advance("agreement", state, self.now),
                f"clock:{event.subject}",
            )

    def settle(self) -> ReplayResult:
        """Every backlog is applied: every timer runs to now."""
        self.run_clocks(self.now)
        return self.result


def live_fold(arrival: Iterable[Envelope], now: datetime, policy: Policy) -> ReplayResult:
    """What the live worker holds once a backfill published in ``arrival`` order is in."""
    model = LiveModel(policy, now)
    events = list(arrival)
    last = {e.subject: n for n, e in enumerate(events)}
    for n, event in enumerate(events):
        model.take(event, last_of_subject=last[event.subject] == n)
    return model.settle()
