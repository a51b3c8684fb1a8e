"""``make bench`` still works: a tiny run, end to end, on the session's broker.

It proves every row of BENCHMARKS.md is measured and written with a number. It asserts
no speed: speed targets live in the benchmark, never in a timed test.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import ROWS

pytestmark = pytest.mark.integration
TINY = [
    "--leads", "30", "--perf-records", "2000", "--latency-rate", "50",
    "--latency-seconds", "1", "--escalation-probes", "5", "--clocks", "2000",
    "--due", "10", "--memory-leads", "300",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]


def test_tiny_bench_writes_every_row_with_a_number(kafka_bootstrap: str, tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    command = [sys.executable, "-m", "bench", *TINY, "--bootstrap", kafka_bootstrap]
    done = subprocess.run(
        [*command, "--out", str(out)],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = {}
    for line in out.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and (number := re.match(r"^([\d,]+(?:\.\d+)?) ", cells[1])):
            rows[cells[0]] = float(number[1].replace(",", ""))
    for prefix in ROWS:
        found = [value for name, value in rows.items() if name.startswith(prefix)]
        assert found, f"no row {prefix!r} in {sorted(rows)}"
        assert all(math.isfinite(value) and value >= 0 for value in found), (prefix, found)
    text = out.read_text()
    assert "Load average" in text
    assert "live / raw aiokafka loop = " in text
