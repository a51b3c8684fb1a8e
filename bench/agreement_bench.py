"""Cost of one ``ShareRecorded`` on an agreement, as the worker pays it, by agreement size.

Run: ``.venv/bin/python -m bench.agreement_bench`` from the repository root.
The worker reads the agreement's JSON from its table, folds the command and writes the
JSON back, so the cost grows with the number of leads still out with their receivers
(``shared_leads`` keeps only those; rejected and closed shares are dropped): this
prints microseconds per command at several sizes. The JSON codec dominates; a single
agreement with thousands of leads out at once would want its shares in a table of
their own.
"""

from __future__ import annotations

import platform
import sys
import time

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import evolve_agreement
from tests.support.agreements import POLICY, Agreement, at, fold

SIZES = (0, 1_000, 5_000)
MEASURED = 200


def main() -> None:
    print(f"python {sys.version.split()[0]} on {platform.machine()}, {platform.processor()}")
    for size in SIZES:
        ag = Agreement()
        state, _, _ = fold([ag.proposed(), *ag.signed_by_all(at(1))])
        assert state is not None
        for n in range(size):  # preload without the codec: only the size matters here
            state = evolve_agreement(state, ag.share(at(2), f"P{n}"), POLICY).state
            assert state is not None
        raw = agreement_to_json(state)
        commands = [ag.share(at(3, hours=n / 60), f"L{n}") for n in range(MEASURED)]
        start = time.perf_counter()
        for command in commands:
            outcome = evolve_agreement(agreement_from_json(raw), command, POLICY)
            assert outcome.state is not None
            raw = agreement_to_json(outcome.state)
        per = (time.perf_counter() - start) / MEASURED * 1e6
        print(f"{size:>6} shares: {per:8.0f} us per ShareRecorded, state {len(raw) // 1024} KiB")


if __name__ == "__main__":
    main()
