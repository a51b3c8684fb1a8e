"""The live row alone, repeated, for before/after comparisons on a shared machine.

``python -m bench.live_only --leads 1000 --rounds 3 DIR [DIR ...]`` starts one broker
and, round after round, a worker from each code directory in turn (a checkout of
another commit, e.g. ``git archive <commit> | tar -x -C DIR``; the worker runs with
that directory as its working directory, so its ``streams`` package is the one
imported), each on a fresh namespace, and measures the same workload as the bench's
live row. Besides events/s on the wall clock it reports events per CPU-second of the
worker process, which other sessions' load disturbs far less.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from bench import live
from bench import worker as bench_worker
from bench.access import operator_access
from bench.broker import local_broker, wait_for_topic
from bench.workload import lead_events
from schemas.codec import encode
from streams.broker.admin import create_topics
from streams.broker.topics import TABLES, changelog_name


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so the broker and worker are stopped


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_only", description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("code", nargs="+", type=Path, help="code directories to compare")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    messages = [(e.subject.encode(), encode(e)) for e in lead_events(args.leads, datetime.now(UTC))]
    print(f"{len(messages)} events; load average {os.getloadavg()}", flush=True)
    wall: dict[Path, list[float]] = {code: [] for code in args.code}
    per_cpu: dict[Path, list[float]] = {code: [] for code in args.code}
    with (
        tempfile.TemporaryDirectory(prefix="leadledger-live-") as tmp,
        local_broker(Path(tmp) / "kafka") as bootstrap,
    ):
        for round_number in range(args.rounds):
            for code in args.code:
                namespace = f"l{uuid.uuid4().hex[:6]}"
                create_topics(operator_access(bootstrap).kafka_python(), namespace)
                for table in TABLES:
                    wait_for_topic(bootstrap, changelog_name(table, namespace))
                # running_worker starts the worker in the parent of bench/ of this file.
                bench_worker.__file__ = str(code.resolve() / "bench" / "worker.py")
                workdir = Path(tmp) / namespace
                with bench_worker.running_worker(bootstrap, namespace, workdir) as worker:
                    before = cpu_seconds(worker.process.pid)
                    rate = live.throughput(worker, bootstrap, f"{namespace}.leads", messages)
                    used = cpu_seconds(worker.process.pid) - before
                wall[code].append(rate)
                per_cpu[code].append(len(messages) / used)
                print(
                    f"round {round_number} {code}: {rate:,.0f} events/s, "
                    f"{len(messages) / used:,.0f} events per worker CPU-s, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for code in args.code:
        print(
            f"{code}: median {statistics.median(wall[code]):,.0f} events/s, "
            f"{statistics.median(per_cpu[code]):,.0f} events per worker CPU-s"
        )


if __name__ == "__main__":
    main()
