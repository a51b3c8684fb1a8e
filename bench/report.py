"""The machine the bench ran on, the table it prints and ``BENCHMARKS.md``."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psutil

from streams.broker.jars import KAFKA_VERSION

# The rows every run measures (names start with these); the tiny-run test checks them.
ROWS = (
    "codec: avro encode",
    "codec: avro decode",
    "codec: fastavro encode",
    "codec: fastavro decode",
    "codec: codec.encode",
    "codec: codec.decode",
    "codec: workload mean codec.encode",
    "codec: workload mean codec.decode",
    "timer tick: ",
    "timer tick: 0 due",
    "replay: JSON-Lines file",
    "replay: Kafka topic",
    "Kafka producer perf tool",
    "Kafka consumer perf tool",
    "raw aiokafka consume -> produce loop",
    "raw aiokafka loop: CPU per event",
    "live ceiling: the lead handler alone",
    "live: Kafka records written per input event",
    "Quix Streams peer",
    "leadledger live",
    "live: events per worker CPU-second",
    "live, two workers on the same topics",
    "live, two workers: events per worker CPU-second",
    "live, 3-broker cluster",
    "live latency p50",
    "live latency p99",
    "due_at -> EscalationRaised p50",
    "due_at -> EscalationRaised p99",
    "worker RSS holding",
    "worker RSS for 1,000,000 leads",
)
LIBRARIES = ("faust-streaming", "aiokafka", "kafka-python", "fastavro", "avro", "quixstreams")


@dataclass
class Row:
    name: str
    value: float
    unit: str
    target: str = ""
    note: str = ""


@dataclass
class Run:
    sizes: dict[str, int | float]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    load_start: tuple[float, float, float] = field(default_factory=os.getloadavg)
    load_end: tuple[float, float, float] | None = None
    rows: list[Row] = field(default_factory=list)

    def add(self, name: str, value: float, unit: str, target: str = "", note: str = "") -> Row:
        row = Row(name, value, unit, target, note)
        self.rows.append(row)
        print(f"  {format_row(row)}", flush=True)
        return row

    def value(self, name: str) -> float:
        return next(r.value for r in self.rows if r.name == name)


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _java_version() -> str:
    java = shutil.which("java")
    if java is None:
        return "absent"
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    return done.stderr.splitlines()[0] if done.stderr else "unknown"


def machine(tools_version: str) -> list[str]:
    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "absent"

    memory = psutil.virtual_memory().total / 2**30
    return [
        f"CPU: {os.cpu_count()} cores, {_cpu_model()}; memory {memory:.1f} GiB",
        f"OS: {platform.platform()}",
        f"Python {platform.python_version()}; Java: {_java_version()}",
        f"Kafka broker {KAFKA_VERSION} (local KRaft, 1 node); perf tools kafka-tools "
        f"{tools_version}",
        "Libraries: " + ", ".join(f"{name} {version(name)}" for name in LIBRARIES),
    ]


def format_value(row: Row) -> str:
    if row.unit in {"events/s", "records/s"}:
        return f"{row.value:,.0f} {row.unit}"
    if row.unit == "MiB":
        return f"{row.value:,.0f} MiB"
    return f"{row.value:,.2f} {row.unit}"


def format_row(row: Row) -> str:
    return f"{row.name:<62} {format_value(row):>20}  {row.note}"


def table(rows: list[Row]) -> str:
    lines = ["| measure | result | target | note |", "|---|---:|---|---|"]
    lines += [f"| {r.name} | {format_value(r)} | {r.target} | {r.note} |" for r in rows]
    return "\n".join(lines)


def write_markdown(run: Run, path: Path, tools_version: str, closing: list[str]) -> None:
    load_end = run.load_end or os.getloadavg()
    sizes = ", ".join(f"{k}={v}" for k, v in run.sizes.items())
    text = [
        "# Benchmarks",
        "",
        f"One run of `make bench` ({sizes}), {run.started:%Y-%m-%d %H:%M} UTC.",
        "Regenerate with `make bench`; `python -m bench --help` lists the sizes.",
        "",
        "## Machine",
        "",
        *[f"- {line}" for line in machine(tools_version)],
        f"- Load average (1/5/15 min): at start {_load(run.load_start)}, at end {_load(load_end)}",
        "",
        "## Results",
        "",
        table(run.rows),
        "",
        "## Ratios and targets",
        "",
        *closing,
        "",
    ]
    path.write_text("\n".join(text))


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)
