"""The per-process instruments: what this process did since it started.

Each starts at zero when the process starts (its help text says so); a figure that
describes the data, and must survive a restart, is read from the tables at scrape time
instead (``streams/observability/collectors.py``). They are created unregistered: each
app's ``/metrics`` registry registers them (``streams/web/metrics.py``), so tests that
build several apps in one process do not clash in a global registry.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SINCE_START = " Per process: starts at zero when the worker starts."

BATCH_SIZE = Histogram(
    "leadledger_batch_size",
    "Messages an agent handled together (the lead agent batches up to 256; the other"
    " agents handle one at a time), by input topic." + SINCE_START,
    ["topic"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
    registry=None,
)
HANDLING_SECONDS = Histogram(
    "leadledger_handling_seconds",
    "Time from the start of a batch's handling until its table writes landed and it was"
    " acknowledged, by input topic." + SINCE_START,
    ["topic"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=None,
)
ADMISSION_REFUSED = Counter(
    "leadledger_admission_refused",
    "Messages the admission step refused, by publishing partner (the owner of the publish"
    " topic, as registered; 'unregistered' else) and reason class." + SINCE_START,
    ["partner", "reason"],
    registry=None,
)
COMMIT_REWINDS = Counter(
    "leadledger_commit_guard_rewinds",
    "Partitions the commit guard read again: 'hole' (offsets fetched and dropped before"
    " later ones were handled) or 'tail' (a partition's last messages never came)." + SINCE_START,
    ["kind"],
    registry=None,
)
COMMIT_STALL_SECONDS = Gauge(
    "leadledger_commit_stall_seconds",
    "How long each condition the commit watchdog watches has lasted, as of its last check"
    " (every 5 s); at LEADLEDGER_COMMIT_STALL_SECONDS the worker exits with status 75."
    " 'commit': an offset commit that has not returned; 'handling': a message's handling"
    " that has not ended; 'broker_behind': the broker's committed offsets trail Faust's;"
    " 'acked_waiting': acknowledged offsets wait while a committed offset stands." + SINCE_START,
    ["watch"],
    registry=None,
)

PROCESS_INSTRUMENTS = (
    BATCH_SIZE,
    HANDLING_SECONDS,
    ADMISSION_REFUSED,
    COMMIT_REWINDS,
    COMMIT_STALL_SECONDS,
)
