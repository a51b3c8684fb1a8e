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
    return [
        f"- live / raw aiokafka loop = {live / raw:.2f}; live / Quix Streams peer = "
        f"{live / peer:.2f}; raw loop / Kafka producer tool = {raw / producer:.3f}.",
        f"- live >= 0.5 x raw loop: {verdict(live >= 0.5 * raw)}; "
        f"ahead of Quix Streams: {verdict(live > peer)}.",
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
