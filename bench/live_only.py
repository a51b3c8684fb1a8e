"""The live row alone, repeated, for before/after comparisons on a shared machine.

``python -m bench.live_only --leads 1000 --rounds 3 DIR [DIR ...]`` starts one broker
and, round after round, a worker from each code directory in turn (a checkout of
another commit, e.g. ``git archive <commit> | tar -x -C DIR``; the worker runs with
that directory as its working directory, so its ``streams`` package is the one
imported), each on a fresh namespace, and measures the same workload as the bench's
live row. Besides events/s on the wall clock it reports events per CPU-second of the
worker process, which other sessions' load disturbs far less.

``--admission DIR`` measures DIR a second time with the same workload published the way
partners publish: on one internal partner's publish topic (``<namespace>.in.bench-crm``,
every event's ``source`` that partner), so each event passes the admission step before
the fold. The two rows side by side are what admission costs.

``--cluster DIR`` measures DIR against a local 3-broker cluster started beside the
broker (replication factor 3, ``min.insync.replicas`` 2, the worker's producer with
``acks=all`` as always). ``--two-workers DIR`` measures DIR with two worker processes
of the same group on the same topics (one broker): events/s of the pair, and events
per CPU-second of both processes together.

``--baseline DIR`` measures DIR on a second broker, started beside the first as brokers
were before they authenticated (PLAINTEXT, no authorizer), with clients that connect
without credentials: a tree from before authentication runs there, in the same rounds,
beside the current one.
"""

from __future__ import annotations

import argparse
import os
import pickle
import signal
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from bench.broker import (
    cluster_broker,
    environment,
    local_broker,
    plaintext_broker,
    without_credentials,
)
from bench.lanes import ADMISSION_PARTNER, measure


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # so the broker and worker are stopped


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_only", description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("code", nargs="+", type=Path, help="code directories to compare")
    parser.add_argument(
        "--admission",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also measure DIR with the events published through the admission step",
    )
    parser.add_argument(
        "--baseline",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also measure DIR on a plaintext broker (a tree from before authentication)",
    )
    parser.add_argument(
        "--cluster",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also measure DIR against a local 3-broker cluster (RF 3, min.insync 2)",
    )
    parser.add_argument(
        "--two-workers",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="also measure DIR with two worker processes on the same topics",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _terminate)
    now = datetime.now(UTC)
    lanes = [(code, "plaintext") for code in args.baseline]
    lanes += [(code, "direct") for code in args.code]
    lanes += [(code, "admission") for code in args.admission]
    lanes += [(code, "cluster") for code in args.cluster]
    lanes += [(code, "two-workers") for code in args.two_workers]
    # Each tree encodes its own workload: a tree from before a schema change does not
    # know the newer writer schemas, and would only reject the current one's events.
    workloads = {lane: encoded_workload(lane[0], args.leads, now, lane[1]) for lane in lanes}
    direct = workloads[lanes[0]]
    print(f"{len(direct)} events; load average {os.getloadavg()}", flush=True)
    wall: dict[tuple[Path, str], list[float]] = {lane: [] for lane in lanes}
    per_cpu: dict[tuple[Path, str], list[float]] = {lane: [] for lane in lanes}
    with (
        tempfile.TemporaryDirectory(prefix="leadledger-live-") as tmp,
        local_broker(Path(tmp) / "kafka") as secured,
        ExitStack() as stack,
    ):
        plain = cluster = ""
        cluster_env: dict[str, str] = {}
        if args.baseline:
            with without_credentials():
                plain = stack.enter_context(plaintext_broker(Path(tmp) / "plain"))
        if args.cluster:
            cluster, cluster_env = stack.enter_context(cluster_broker(Path(tmp) / "cluster"))
        for round_number in range(args.rounds):
            for code, lane in lanes:
                bootstrap = {"plaintext": plain, "cluster": cluster}.get(lane, secured)
                access = (
                    without_credentials()
                    if lane == "plaintext"
                    else environment(cluster_env)
                    if lane == "cluster"
                    else nullcontext()
                )
                with access:
                    messages = workloads[code, lane]
                    got = measure(
                        bootstrap,
                        Path(tmp),
                        messages,
                        code=code.resolve(),
                        workers=2 if lane == "two-workers" else 1,
                        admission=lane == "admission",
                    )
                wall[code, lane].append(got.events_per_s)
                per_cpu[code, lane].append(got.per_cpu_s)
                print(
                    f"round {round_number} {code} {lane}: {got.events_per_s:,.0f} events/s, "
                    f"{got.per_cpu_s:,.0f} events per worker CPU-s, {got.rejected} rejected, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for code, lane in lanes:
        print(
            f"{code} {lane}: median {statistics.median(wall[code, lane]):,.0f} events/s, "
            f"{statistics.median(per_cpu[code, lane]):,.0f} events per worker CPU-s"
        )


ENCODE = """
import pickle, sys
from datetime import datetime
from bench.workload import lead_events
from schemas.codec import encode
leads, now, source, out = sys.argv[1:]
events = lead_events(int(leads), datetime.fromisoformat(now))
if source:
    events = [e.model_copy(update={"source": source}) for e in events]
with open(out, "wb") as file:
    pickle.dump([(e.subject.encode(), encode(e)) for e in events], file)
"""


def encoded_workload(code: Path, leads: int, now: datetime, lane: str) -> list[tuple[bytes, bytes]]:
    """The workload as ``code``'s own codec writes it (run in that tree)."""
    source = ADMISSION_PARTNER if lane == "admission" else ""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as out:
        subprocess.run(
            [sys.executable, "-c", ENCODE, str(leads), now.isoformat(), source, out.name],
            cwd=code,
            check=True,
        )
        loaded: list[tuple[bytes, bytes]] = pickle.load(out)  # noqa: S301 - our own file
    return loaded


if __name__ == "__main__":
    main()
