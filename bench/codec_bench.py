"""Microseconds per event to encode and decode, avro vs fastavro, on this machine.

Run: ``.venv/bin/python -m bench.codec_bench``. Prints a table; the product's codec
(``schemas.codec``) uses fastavro because of these figures. ``make bench`` reports the
same rows (:func:`measure`).
"""

from __future__ import annotations

import io
import os
import platform
import timeit
from collections.abc import Sequence
from datetime import UTC, datetime

import avro.io
import avro.schema
import fastavro

from schemas.avro_schemas import latest
from schemas.codec import decode, encode
from schemas.envelope import Envelope
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person

N = 5_000
EVENT = LeadCaptured(
    event_id="evt-1",
    subject="lead-1",
    occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
    source="partner-a",
    data=LeadCapturedData(
        person=Person(email="ana@example.com", first_name="Ana", company="Acme", country="DE"),
        industry="saas",
        budget=25_000.0,
        readiness="3m",
    ),
)


def per_event_us(fn: object) -> float:
    return timeit.timeit(fn, number=N) / N * 1e6  # type: ignore[arg-type]


def measure() -> list[tuple[str, float]]:
    """(step, microseconds per event) for one LeadCaptured."""
    schema = latest()["LeadCaptured"]
    record = EVENT.model_dump(mode="python")
    avro_schema = avro.schema.parse(__import__("json").dumps(schema.raw))
    writer, reader = avro.io.DatumWriter(avro_schema), avro.io.DatumReader(avro_schema)

    def avro_encode() -> bytes:
        buffer = io.BytesIO()
        writer.write(record, avro.io.BinaryEncoder(buffer))
        return buffer.getvalue()

    def fast_encode() -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, schema.parsed, record)
        return buffer.getvalue()

    body = fast_encode()
    payload = encode(EVENT)
    return [
        ("avro encode (body only)", per_event_us(avro_encode)),
        (
            "avro decode (body only)",
            per_event_us(lambda: reader.read(avro.io.BinaryDecoder(io.BytesIO(body)))),
        ),
        ("fastavro encode (body only)", per_event_us(fast_encode)),
        (
            "fastavro decode (body only)",
            per_event_us(lambda: fastavro.schemaless_reader(io.BytesIO(body), schema.parsed)),
        ),
        ("codec.encode (pydantic dump + header + fastavro)", per_event_us(lambda: encode(EVENT))),
        ("codec.decode (fastavro + pydantic validation)", per_event_us(lambda: decode(payload))),
    ]


def workload_mean(events: Sequence[Envelope], sample: int = 5_000) -> tuple[float, float]:
    """Mean microseconds to encode and to decode one event of the workload's mix.

    LeadCaptured, the row the target is checked on, is the largest event; most of a
    lead's events are activities and decisions with a few fields each.
    """
    chosen = list(events[:sample])
    payloads = [encode(event) for event in chosen]
    best_encode = min(timeit.repeat(lambda: [encode(e) for e in chosen], number=1, repeat=3))
    best_decode = min(timeit.repeat(lambda: [decode(p) for p in payloads], number=1, repeat=3))
    return best_encode / len(chosen) * 1e6, best_decode / len(chosen) * 1e6


def main() -> None:
    rows = measure()
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"avro {getattr(avro, '__version__', '?')}, fastavro {fastavro.__version__}"
    )
    print(f"{'step':<52} {'us/event':>9}")
    for name, micros in rows:
        print(f"{name:<52} {micros:>9.1f}")


if __name__ == "__main__":
    main()
