"""Only the two replay rows of ``make bench``, for trees side by side in one run.

Run: ``.venv/bin/python -m bench.replay_rows [--kafka] [--repeat N] [TREE ...]``
from the repository root. The bench workload (``bench.workload.lead_events``, 5,000
leads) is written once as a JSON-Lines file (and, with ``--kafka``, to one topic of a
fresh local broker); then each TREE (a checkout of this repository, default ``.``)
replays it in a fresh process, trees alternating, ``--repeat`` rounds. Each line gives
events/s (wall), events per CPU-second (``time.process_time``, librdkafka's threads
included) and the load average, and the answer's size so trees can be compared; the
medians, the best and each tree's median ratio to the first, round by round (the
machine is shared: a paired ratio is steadier than either median), close the run.
The rows are measured as ``bench.offline`` measures them (the
CLI's GC setting, parse or read + decode + fold + advance), each process replaying
twice and timing the second, warm, as in ``make bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.access import operator_access
from bench.broker import create_topic, local_broker
from bench.rawloop import preload
from bench.workload import lead_events
from projections.policy import Policy
from projections.replay import replay_leads
from schemas.codec import encode
from schemas.envelope import Envelope
from schemas.jsonl import read_log, write_log
from streams.cli.collector import fewer_collections
from streams.readback.event_log import read_topics

LEADS = 5_000


def _child(kind: str, path: str, as_of: str, bootstrap: str) -> None:

    now = datetime.fromisoformat(as_of)
    # Twice, as in ``make bench``, where a replay of the workload (make_workload) has
    # already warmed the caches (business days, derived ids); the second is reported.
    for _ in range(2):
        wall, cpu = time.perf_counter(), time.process_time()
        with fewer_collections():
            if kind == "file":
                events: object = read_log(Path(path))
            else:
                events = read_topics(operator_access(bootstrap), [path])
            result = replay_leads(events, now, Policy())  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    answer = [len(result.leads), len(result.escalations), len(result.rejections)]
    print(json.dumps({"wall": wall, "cpu": cpu, "answer": answer}))


def _run(tree: Path, kind: str, path: str, as_of: str, bootstrap: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    args = [sys.executable, "-m", "bench.replay_rows", "--child", kind, path, as_of, bootstrap]
    out = subprocess.run(args, cwd=tree, env=env, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:6])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.replay_rows", description=__doc__)
    parser.add_argument("trees", nargs="*", type=Path, default=[Path()])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kafka", action="store_true", help="also the Kafka row (a broker)")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.trees]

    now = datetime.now(UTC)
    events = lead_events(LEADS, now)
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "log.jsonl"
        with log.open("w", encoding="utf-8") as out:
            write_log(events, out)
        rows = [("file", str(log), "")]
        if args.kafka:
            with local_broker(Path(work) / "kafka") as bootstrap:
                _preload(bootstrap, events)
                rows.append(("kafka", "replayrows.in", bootstrap))
                _measure(trees, rows, len(events), now, args.repeat)
        else:
            _measure(trees, rows, len(events), now, args.repeat)


def _preload(bootstrap: str, events: list[Envelope]) -> None:

    create_topic(bootstrap, "replayrows.in")
    preload(bootstrap, "replayrows.in", [(e.subject.encode(), encode(e)) for e in events])


def _measure(
    trees: list[Path], rows: list[tuple[str, str, str]], count: int, now: datetime, repeat: int
) -> None:
    print(f"{count:,} events, {LEADS:,} leads; load average {os.getloadavg()}")
    seen: dict[tuple[str, Path], list[tuple[float, float]]] = {}
    for round_ in range(repeat):
        for kind, path, bootstrap in rows:
            for tree in trees:
                got = _run(tree, kind, path, now.isoformat(), bootstrap)
                wall, cpu = float(got["wall"]), float(got["cpu"])  # type: ignore[arg-type]
                seen.setdefault((kind, tree), []).append((count / wall, count / cpu))
                load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
                print(
                    f"round {round_ + 1} {kind:5} {tree}: {count / wall:9,.0f} events/s, "
                    f"{count / cpu:9,.0f} events/CPU-s, answer {got['answer']}, load {load}"
                )
    print("medians (best) of the rounds; a tree against the first, paired by round:")
    first = trees[0]
    for (kind, tree), rates in seen.items():
        wall_rate = statistics.median(r[0] for r in rates)
        cpu_rate = statistics.median(r[1] for r in rates)
        best = max(r[1] for r in rates)
        paired = statistics.median(
            r[1] / f[1] for r, f in zip(rates, seen[(kind, first)], strict=True)
        )
        print(
            f"  {kind:5} {tree}: {wall_rate:9,.0f} events/s, {cpu_rate:9,.0f} events/CPU-s "
            f"(best {best:,.0f}); per CPU-s x{paired:.2f} of {first.name or first}"
        )


if __name__ == "__main__":
    main()
