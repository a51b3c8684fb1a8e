"""Events per second of ``replay`` over a partnership log, on this machine.

Run: ``.venv/bin/python -m bench.replay_bench [LEADS]`` from the repository root.
Two agreements, then per lead
a capture, a consent, a share, a response, four lifecycle steps and a won opportunity
(a commission): the discrete-event simulation folds leads, agreements and the partner
views together, so this is the auditor's cost per event.
"""

from __future__ import annotations

import platform
import sys
import time
from datetime import timedelta

from projections.policy import Policy
from projections.replay import replay
from schemas.envelope import Envelope
from tests.support.agreements import Agreement, terms
from tests.support.agreements import at as day
from tests.support.leads import Lead
from tests.support.partners import SharedLead


def partnership(leads: int) -> list[Envelope]:
    revenue = {"model": "percent", "rate": 10, "currency": "EUR"}
    deal = Agreement("AG1")
    events: list[Envelope] = [
        deal.proposed(day(0), terms(revenue_share=revenue)),
        *deal.signed_by_all(day(0.5)),
    ]
    for n in range(leads):
        start = day(1) + timedelta(minutes=n)
        share, life = SharedLead(f"L{n}"), Lead(f"L{n}")
        hours = [start + timedelta(hours=h) for h in range(10)]
        events += [
            share.captured(hours[0]),
            share.consent(hours[0]),
            share.shared(hours[1], to="rec", frm="gen"),
            share.responded(hours[2]),
            life.activity(hours[3], points=80),
            life.assigned(hours[3] + timedelta(minutes=10), "rep-1"),
            life.status(hours[4], "SAL"),
            life.status(hours[5], "SQL"),
            life.converted(hours[6], opportunity="O1"),
            share.won(hours[7]),
        ]
    return events


def main() -> None:
    leads = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    events = partnership(leads)
    started = time.perf_counter()
    result = replay(events, day(400), Policy())
    seconds = time.perf_counter() - started
    assert len(result.leads) == leads
    assert sum(len(s.commissions) for s in result.leads.values()) == leads
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    rate = len(events) / seconds
    print(f"{len(events)} events, {leads} leads: {seconds:.2f} s, {rate:,.0f} events/s")


if __name__ == "__main__":
    main()
