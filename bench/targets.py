"""The closing note: ratios from the same run, and each target met or not."""

from __future__ import annotations

from bench.report import Run


def _find(run: Run, prefix: str) -> float:
    return next(r.value for r in run.rows if r.name.startswith(prefix))


def closing_notes(run: Run) -> list[str]:
    live = _find(run, "leadledger live")
    raw = _find(run, "raw aiokafka")
    peer = _find(run, "Quix Streams peer")
    producer = _find(run, "Kafka producer perf tool")

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met (see docs/performance.md)"

    tick_busy = _find(run, "timer tick: ") * 1
    tick_rows = [r for r in run.rows if r.name.startswith("timer tick")]
    tick_idle = tick_rows[-1].value
    codec = [r.value for r in run.rows if r.name.startswith("codec: codec.")]
    rss = [r.value for r in run.rows if r.name.startswith("worker RSS for 1,000,000")]
    handler = _find(run, "live ceiling: the lead handler alone")
    raw_cpu = _find(run, "raw aiokafka loop: CPU per event")  # µs: one record read, one written
    records = _find(run, "live: Kafka records written per input event")
    # A floor, not a model: the handler's own CPU, plus each record read or written at
    # half the raw loop's CPU per event (it reads one and writes one), Faust free.
    floor_us = 1e6 / handler + raw_cpu / 2 * (1 + records)
    return [
        f"- the ceiling: the lead handler alone does {handler:,.0f} events per CPU-second "
        f"({1e6 / handler:.0f} µs an event); the worker writes {records:.2f} Kafka records "
        f"an event and reads one, at ~{raw_cpu / 2:.0f} µs a record in the raw aiokafka loop; "
        f"so one worker process could do at most ~{1e6 / floor_us:,.0f} events per "
        f"CPU-second even if Faust cost nothing. It does "
        f"{_find(run, 'live: events per worker CPU'):,.0f}.",
        f"- live / raw aiokafka loop = {live / raw:.2f}; live / Quix Streams peer = "
        f"{live / peer:.2f}; raw loop / Kafka producer tool = {raw / producer:.3f}.",
        f"- live >= 0.5 x raw loop: {verdict(live >= 0.5 * raw)}; "
        f"ahead of Quix Streams: {verdict(live > peer)}.",
        f"- live >= 3,500 events/s: {verdict(live >= 3_500)}; >= 4,000 events per worker "
        f"CPU-second: {verdict(_find(run, 'live: events per worker CPU') >= 4_000)}; "
        f">= 2,000 events/s against the 3-broker cluster: "
        f"{verdict(_find(run, 'live, 3-broker cluster') >= 2_000)}.",
        f"- two workers on the same topics: {_find(run, 'live, two workers on'):,.0f} "
        f"events/s, {_find(run, 'live, two workers:'):,.0f} events per worker CPU-second "
        f"(one worker: {live:,.0f} and {_find(run, 'live: events per worker CPU'):,.0f}).",
        f"- replay from a file >= 100,000 events/s: "
        f"{verdict(_find(run, 'replay: JSON-Lines') >= 100_000)}; from Kafka >= 50,000 "
        f"events/s: {verdict(_find(run, 'replay: Kafka') >= 50_000)}.",
        f"- timer tick: {tick_busy:.1f} ms with the due clocks, {tick_idle:.3f} ms with none "
        "due, at the same number of open clocks (cost follows what is due); p99 due_at -> "
        f"EscalationRaised <= 2 s: {verdict(_find(run, 'due_at -> EscalationRaised p99') <= 2)}.",
        f"- RSS <= 2 GiB: {verdict(all(v <= 2048 for v in rss))}.",
        f"- codec <= 10 µs each way (one LeadCaptured, the largest event): "
        f"{verdict(all(v <= 10 for v in codec))}; the workload's mean event "
        f"{_find(run, 'codec: workload mean codec.encode'):.1f} / "
        f"{_find(run, 'codec: workload mean codec.decode'):.1f} µs.",
    ]
