"""``make bench``: every row of issues 6 and 19 in one run.

Starts its own broker (free ports, a temp dir), for the cluster row a local 3-broker
cluster after it, and worker processes, stops them on the way out (also on an error,
Ctrl-C or SIGTERM), prints the table and writes ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from bench import codec_bench, handler_alone, lanes, live, memory, offline, rawloop
from bench.access import operator_access
from bench.broker import (
    TOOLS_VERSION,
    cluster_broker,
    consumer_perf,
    create_topic,
    environment,
    local_broker,
    producer_perf,
    tools_jars,
    wait_for_topic,
)
from bench.report import Run, format_row, write_markdown
from bench.targets import closing_notes
from bench.worker import running_worker, stop_group
from bench.workload import lead_events, partner_events
from projections.policy import Policy
from projections.replay import replay_leads
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.broker.admin import create_topics
from streams.broker.topics import TABLES, changelog_name

# Every topic and namespace of one run carries its id, so runs sharing a broker (a
# test session's) never meet.
RUN = uuid.uuid4().hex[:6]
LIVE = f"b{RUN}live"  # the live worker's namespace


def topic(name: str) -> str:
    return f"b{RUN}.{name}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add = parser.add_argument
    add("--leads", type=int, default=5_000, help="leads in the workload (~6 events each)")
    add("--partners", type=int, default=0, help="optional agreement events (2 a partner)")
    add("--perf-records", type=int, default=500_000, help="records for Kafka's perf tools")
    add("--latency-rate", type=float, default=200.0, help="events/s for the latency row")
    add("--latency-seconds", type=float, default=15.0)
    add("--escalation-probes", type=int, default=200, help="clocks due during the run")
    add("--clocks", type=int, default=1_000_000, help="open clocks for the timer tick")
    add("--due", type=int, default=1_000, help="of which due at the tick")
    add("--memory-leads", type=int, default=200_000, help="leads held for the RSS rows")
    add("--out", type=Path, default=Path("BENCHMARKS.md"))
    add(
        "--bootstrap",
        help="use this broker instead of starting one (the tests' own); the cluster row "
        "still starts its own cluster",
    )
    return parser.parse_args(argv)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@dataclass
class Workload:
    now: datetime
    events: list[Envelope]
    messages: list[rawloop.Message]
    escalations: int  # what a replay up to ``now`` raises: the live run must raise them too
    open_clocks: int
    record_size: int


def make_workload(args: argparse.Namespace) -> Workload:
    now = datetime.now(UTC)
    events = lead_events(args.leads, now)
    messages = [(e.subject.encode(), encode(e)) for e in events]
    expected = replay_leads(events, now, Policy())
    return Workload(
        now=now,
        events=events,
        messages=messages,
        escalations=len(expected.escalations),
        open_clocks=sum(len(state.clocks) for state in expected.leads.values()),
        record_size=round(sum(len(v) for _, v in messages) / len(messages)),
    )


def offline_rows(result: Run, args: argparse.Namespace, work: Workload, workdir: Path) -> None:
    print("codec (one LeadCaptured):")
    for step, micros in codec_bench.measure():
        result.add(f"codec: {step}", micros, "µs", "<= 10 µs" if "codec." in step else "")
    mean_encode, mean_decode = codec_bench.workload_mean(work.events)
    mix = f"mean over {min(len(work.events), 5_000):,} workload events, all types"
    result.add("codec: workload mean codec.encode", mean_encode, "µs", "", mix)
    result.add("codec: workload mean codec.decode", mean_decode, "µs", "", mix)
    print("timer (in process, the worker's own index and tick):")
    busy, idle = offline.timer_tick(args.clocks, args.due)
    name = f"timer tick: {args.due:,} due of {args.clocks:,} open clocks"
    result.add(name, busy * 1e3, "ms", "proportional to due")
    result.add(f"timer tick: 0 due of {args.clocks:,} open clocks", idle * 1e3, "ms")
    print("the lead agent's handler alone (in process, no Kafka):")
    _, rate = handler_alone.events_per_cpu_second(args.leads, work.now)
    result.add("live ceiling: the lead handler alone, no Kafka", rate, "events/CPU-s", "",
               "bench/handler_alone.py: dict tables, sends delivered at once")  # fmt: skip
    print("replay from a file:")
    rate = offline.replay_file(work.events, workdir / "log.jsonl", work.now)
    result.add("replay: JSON-Lines file (parse + fold)", rate, "events/s", ">= 100,000 events/s")


def client_rows(result: Run, args: argparse.Namespace, work: Workload, bootstrap: str) -> None:
    print(f"Kafka's perf tools ({work.record_size} B records):")
    create_topic(bootstrap, topic("perf"))
    made = producer_perf(bootstrap, topic("perf"), args.perf_records, work.record_size)
    name = f"Kafka producer perf tool ({work.record_size} B, acks=all)"
    result.add(name, made.records_per_s, "records/s")
    read = consumer_perf(bootstrap, topic("perf"), args.perf_records)
    result.add("Kafka consumer perf tool", read.records_per_s, "records/s")
    print("raw aiokafka loop:")
    for name in ("raw.in", "raw.out", "peer.leads", "peer.out", "agreements.in"):
        create_topic(bootstrap, topic(name))
    rawloop.preload(bootstrap, topic("raw.in"), work.messages)
    rate, cpu = rawloop.raw_loop(bootstrap, topic("raw.in"), topic("raw.out"), len(work.messages))
    result.add("raw aiokafka consume -> produce loop (no logic)", rate, "events/s")
    result.add("raw aiokafka loop: CPU per event (one record read, one written)",
               cpu / len(work.messages) * 1e6, "µs")  # fmt: skip
    rate = offline.replay_kafka(bootstrap, topic("raw.in"), len(work.messages), work.now)
    result.add("replay: Kafka topic (read + decode + fold)", rate, "events/s", ">= 50,000 events/s")
    if args.partners:
        agreements = [
            (e.subject.encode(), encode(e)) for e in partner_events(args.partners, work.now)
        ]
        rawloop.preload(bootstrap, topic("agreements.in"), agreements)


def peer_rows(result: Run, work: Workload, bootstrap: str, workdir: Path) -> None:
    print("Quix Streams peer:")
    rawloop.preload(bootstrap, topic("peer.leads"), work.messages)
    rate = peer_quix(bootstrap, len(work.messages), workdir / "quix")
    result.add("Quix Streams peer (same fold, RocksDB state)", rate, "events/s")


def live_rows(
    result: Run, args: argparse.Namespace, work: Workload, bootstrap: str, workdir: Path
) -> None:
    print("leadledger live (a worker process):")
    create_topics(operator_access(bootstrap).kafka_python(), LIVE)
    for table in TABLES:  # the worker's first table writes need their changelogs served
        wait_for_topic(bootstrap, changelog_name(table, LIVE))
    with running_worker(bootstrap, LIVE, workdir / "live") as worker:
        before = lanes.cpu_seconds(worker.process.pid)
        rate = live.throughput(worker, bootstrap, f"{LIVE}.leads", work.messages)
        used = lanes.cpu_seconds(worker.process.pid) - before
        result.add("leadledger live (worker: processed + escalations out)", rate, "events/s",
                   ">= 3,500 events/s; >= 0.5 x raw loop, > Quix")  # fmt: skip
        result.add("live: events per worker CPU-second", len(work.messages) / used,
                   "events/CPU-s", ">= 4,000")  # fmt: skip
        written = lanes.records_written(bootstrap, LIVE, f"{LIVE}.leads")
        per_event = {name: count / len(work.messages) for name, count in written.items()}
        most = sorted(per_event.items(), key=lambda item: -item[1])
        note = ", ".join(f"{name} {share:.2f}" for name, share in most)
        result.add("live: Kafka records written per input event", sum(per_event.values()),
                   "records", "", note)  # fmt: skip
        p50, p99 = live.latency(bootstrap, LIVE, args.latency_rate, args.latency_seconds)
        at = f"at {args.latency_rate:.0f} events/s"
        result.add(f"live latency p50 {at} (produced -> table updated)", p50 * 1e3, "ms")
        result.add(f"live latency p99 {at}", p99 * 1e3, "ms")
        p50, p99, arrived = live.escalation_delay(bootstrap, LIVE, args.escalation_probes)
        note = ""
        if arrived < args.escalation_probes:
            # Reported, not hidden: the p99 of those that came, and how many did not.
            note = f"only {arrived} of {args.escalation_probes} arrived within 120 s"
            print(f"  {note}; worker counters {worker.counters()}", file=sys.stderr)
        held = f"{work.open_clocks + args.escalation_probes:,} open clocks in the worker"
        result.add(f"due_at -> EscalationRaised p50 ({held})", p50, "s", note=note)
        result.add(f"due_at -> EscalationRaised p99 ({held})", p99, "s", "<= 2 s", note)


def two_worker_rows(result: Run, work: Workload, bootstrap: str, workdir: Path) -> None:
    """Two worker processes of one group on the same topics: what a bigger machine's
    figure can be projected from (here they share 2 cores with the broker)."""
    print("leadledger live, two workers:")
    got = lanes.measure(bootstrap, workdir, work.messages, workers=2)
    result.add("live, two workers on the same topics", got.events_per_s, "events/s")
    result.add("live, two workers: events per worker CPU-second", got.per_cpu_s,
               "events/CPU-s", "", "both processes' CPU")  # fmt: skip


def cluster_rows(result: Run, work: Workload, workdir: Path) -> None:
    """One worker against a local 3-broker cluster started for the row (replication
    factor 3, ``min.insync.replicas`` 2; the worker's producer always has acks=all)."""
    print("leadledger live, local 3-broker cluster:")
    with cluster_broker(workdir / "cluster") as (bootstrap, access), environment(access):
        got = lanes.measure(bootstrap, workdir, work.messages)
    name = "live, 3-broker cluster (RF 3, min.insync 2, acks=all)"
    note = f"{got.per_cpu_s:,.0f} events per worker CPU-second"
    result.add(name, got.events_per_s, "events/s", ">= 2,000 events/s", note)


def memory_rows(result: Run, args: argparse.Namespace, bootstrap: str, workdir: Path) -> None:
    """RSS with ``--memory-leads`` leads per store, and its straight-line projection to
    1,000,000 from an empty worker's RSS (a worker recovers ~5-10k leads/s, so the
    default size keeps the run under 10 minutes; ``--memory-leads 1000000`` measures it)."""
    print(f"memory ({args.memory_leads:,} leads recovered into a worker):")
    changelog = memory.read_changelog(bootstrap, f"{LIVE}-leads-changelog")
    samples = [record for record in changelog if memory.LEAD_ID.search(record[0])]
    for label, store in (("memory store", "memory://"), ("RocksDB store", "rocksdb://")):
        sizes = [0, args.memory_leads]
        rss = []
        for leads in sizes:
            namespace = f"b{RUN}mem{leads}" + store.split(":")[0]
            measured, _ = memory.worker_rss(
                bootstrap=bootstrap,
                namespace=namespace,
                workdir=workdir / namespace,
                store=store,
                samples=samples,
                leads=leads,
            )
            rss.append(measured / 2**20)
        name = f"worker RSS holding {args.memory_leads:,} leads, {label}"
        result.add(name, rss[1], "MiB", "", f"empty worker {rss[0]:,.0f} MiB")
        per_lead = (rss[1] - rss[0]) / max(args.memory_leads, 1)
        projected = rss[0] + per_lead * MILLION
        note = "measured" if args.memory_leads == MILLION else "projected: empty + per lead x 1M"
        result.add(
            f"worker RSS for 1,000,000 leads, {label}", projected, "MiB", "<= 2048 MiB", note
        )


MILLION = 1_000_000


def run(args: argparse.Namespace, workdir: Path) -> Run:
    result = Run(sizes={k: v for k, v in vars(args).items() if k not in {"out", "bootstrap"}})
    work = make_workload(args)
    print(f"workload: {len(work.events)} lead events, {work.escalations} breaches")
    offline_rows(result, args, work, workdir)
    tools_jars()  # fetched before the broker starts, so its time is not in any row
    with broker(args.bootstrap, workdir / "kafka") as bootstrap:
        print(f"broker on {bootstrap}")
        client_rows(result, args, work, bootstrap)
        peer_rows(result, work, bootstrap, workdir)
        live_rows(result, args, work, bootstrap, workdir)
        two_worker_rows(result, work, bootstrap, workdir)
        memory_rows(result, args, bootstrap, workdir)
    cluster_rows(result, work, workdir)
    return result


@contextmanager
def broker(given: str | None, home: Path) -> Iterator[str]:
    """The broker given (a test's), else a fresh local one of the bench's own."""
    if given:
        yield given
    else:
        with local_broker(home) as bootstrap:
            yield bootstrap


def peer_quix(bootstrap: str, expected: int, state_dir: Path) -> float:
    source, sink = topic("peer.leads"), topic("peer.out")
    command = [sys.executable, "-m", "bench.peer_quix.app", bootstrap, source, sink]
    command += [str(expected), str(state_dir)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}  # a dependency's import-time warning
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=900)
    finally:
        stop_group(process)
    if process.returncode != 0:
        raise RuntimeError(f"the Quix Streams peer failed with {process.returncode}")
    return float(json.loads(out.decode().strip().splitlines()[-1])["events_per_s"])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    # Also when started in the background by a shell, which ignores SIGINT there.
    signal.signal(signal.SIGINT, _terminate)
    with tempfile.TemporaryDirectory(prefix="leadledger-bench-") as tmp:
        result = run(args, Path(tmp))
    result.load_end = os.getloadavg()
    notes = closing_notes(result)
    write_markdown(result, args.out, TOOLS_VERSION, notes)
    print()
    for row in result.rows:
        print(format_row(row))
    print()
    print("\n".join(notes))
    print(f"\nwritten to {args.out}")
    return 0
