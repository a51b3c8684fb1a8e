"""A generated lead workload whose expected end state the replay of its log gives.

The live worker raises clocks on wall time and the replay on event time. They agree
whenever no event reaches the worker after a clock it could have stopped has already
fired on wall time. The workload is built so that this never happens, whatever the
lag, crash or rebalance:

* breach scripts are backdated days (their clocks are overdue when they arrive) and
  the event that starts the clock is the lead's last, so nothing can stop it;
* funnel scripts, whose later events stop clocks, happen in the last two hours and
  only start clocks of 48 hours or more (the lead is owned before it becomes an MQL),
  so none of their clocks falls due during a run.

A run therefore checks exact equality with the replay: lead states, escalation sets
by id, rejections.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from schemas.envelope import Envelope
from tests.support.leads import Lead

MQL_THRESHOLD = 76
OWNERS = ["rep-1", "rep-2", "rep-3"]


def _points_to_cross(rng: random.Random) -> list[int]:
    """Activity points whose running total reaches the MQL threshold only at the end."""
    points: list[int] = []
    while True:
        step = rng.choice([8, 15, 25, 30])
        if sum(points) + step >= MQL_THRESHOLD:
            return [*points, step]
        points.append(step)


class Scripts:
    """Per-lead event scripts; ``at(minutes)`` moves along the lead's own timeline."""

    def __init__(self, rng: random.Random, run: str, start: datetime) -> None:
        self.rng, self.run, self.start = rng, run, start
        self.leads = 0

    def _lead(self) -> Lead:
        self.leads += 1
        return Lead(f"{self.run}-L{self.leads}")

    def _old(self) -> datetime:
        return self.start - timedelta(days=6, minutes=self.rng.randrange(24 * 60))

    def _recent(self) -> datetime:
        return self.start - timedelta(minutes=120 - self.rng.randrange(30))

    def nurture(self) -> list[Envelope]:
        """Captured, a few small activities: an INQUIRY, no clock. Duplicates, disorder."""
        lead, t = self._lead(), self._old()
        events: list[Envelope] = [lead.captured(t)]
        for n in range(self.rng.randrange(1, 5)):
            events.append(lead.activity(t + timedelta(minutes=5 * (n + 1)), "web_visit"))
        if self.rng.random() < 0.2:
            events.append(lead.activity(t - timedelta(minutes=30), "email_open"))  # out of order
        if self.rng.random() < 0.2:
            events.append(self.rng.choice(events))  # the same event again
        return events

    def breach(self, owned: bool) -> list[Envelope]:
        """Becomes an MQL with its last event: MQL_NOT_ASSIGNED, or MQL_NOT_ACCEPTED."""
        lead, t = self._lead(), self._old()
        events: list[Envelope] = [lead.captured(t)]
        if owned:
            events.append(lead.assigned(t + timedelta(minutes=1), self.rng.choice(OWNERS)))
        for n, points in enumerate(_points_to_cross(self.rng)):
            events.append(lead.activity(t + timedelta(minutes=5 * (n + 1)), "webinar", points))
        return events

    def funnel(self) -> list[Envelope]:
        """Owned, MQL, then a sales decision; every clock it starts is 48 h or more."""
        lead, t = self._lead(), self._recent()
        minute = iter(range(1, 1000))

        def at() -> datetime:
            return t + timedelta(minutes=next(minute))

        events: list[Envelope] = [lead.captured(t), lead.assigned(at(), self.rng.choice(OWNERS))]
        events += [lead.activity(at(), "demo_request", p) for p in _points_to_cross(self.rng)]
        path = self.rng.choice(["convert", "convert", "sal", "remarket", "junk", "illegal"])
        if path == "illegal":
            events.append(lead.status(at(), "SQL"))  # MQL -> SQL is refused
            events.append(lead.status(at(), "DISQUALIFIED"))
            events.append(lead.activity(at(), "contact_us"))  # reactivates: INQUIRY, 25
        elif path == "junk":
            events.append(lead.status(at(), "JUNK"))
            events.append(lead.activity(at(), "webinar"))  # frozen at 0
        elif path == "remarket":
            events.append(lead.status(at(), "REMARKET"))
            events.append(lead.activity(at(), "demo_request", 60))  # MQL again, owned
        else:
            events.append(lead.status(at(), "SAL"))
            if path == "convert":
                events.append(lead.status(at(), "SQL"))
                events.append(lead.converted(at(), opportunity=f"opp-{lead.lead_id}"))
        return events

    def orphan(self) -> list[Envelope]:
        """An event for a lead that was never captured: rejected, live and in replay."""
        return [Lead(f"{self.run}-orphan{self.leads}").activity(self._recent(), "web_visit")]

    def any(self) -> list[Envelope]:
        roll = self.rng.random()
        if roll < 0.35:
            return self.nurture()
        if roll < 0.50:
            return self.breach(owned=False)
        if roll < 0.62:
            return self.breach(owned=True)
        if roll < 0.98:
            return self.funnel()
        return self.orphan()


def generate(
    count: int, run: str, start: datetime, seed: int = 7, interleave: int = 16
) -> Iterator[Envelope]:
    """``count`` events; ``interleave`` leads at a time are interleaved, each in order."""
    scripts = Scripts(random.Random(seed), run, start)
    produced = 0
    window: list[list[Envelope]] = []
    while produced < count:
        while len(window) < interleave:
            window.append(scripts.any())
        lane = scripts.rng.randrange(len(window))
        yield window[lane].pop(0)
        produced += 1
        if not window[lane]:
            window.pop(lane)
