"""The peer: leadledger's scoring and status pipeline written with Quix Streams.

Same broker, same events, same work per event as the Faust lead agent: decode and
check the envelope, fold with the same pure core (``projections.lead.fold.evolve``), keep
the lead state (JSON) in Quix's RocksDB state store keyed by lead id (with its
changelog topic, like a Faust table), and produce what the core emitted, plus a
rejection for what it refused. Quix Streams has no timer, so clocks only fire when a
later event for the lead arrives; the bench's backdated workload raises its
escalations that way.

Run by the bench: ``python -m bench.peer_quix.app BOOTSTRAP SOURCE SINK EXPECTED DIR``;
prints one JSON line with events/s from the first processed event to the last.
"""

from __future__ import annotations

import json
import sys
import time

from quixstreams import Application
from quixstreams.kafka.configuration import ConnectionConfig

from projections.lead.fold import evolve, state_from_json, state_to_json
from projections.policy import Policy
from bench.access import operator_access
from schemas.codec import DecodeError, decode, encode
from streams.agents.lead import envelope_problems
from streams.delivery.rejections import rejection_for


def main() -> None:
    bootstrap, source, sink, expected, state_dir = sys.argv[1:6]
    expected_count = int(expected)
    policy = Policy()
    # The same access as every client of the project (streams/identity/clients.py).
    connection = ConnectionConfig.from_librdkafka_dict(operator_access(bootstrap).confluent())
    app = Application(
        broker_address=connection,
        consumer_group=f"peer-{source}",
        auto_offset_reset="earliest",
        state_dir=state_dir,
        loglevel="WARNING",
        producer_extra_config={"acks": "all"},
    )
    progress = {"count": 0, "start": 0.0, "end": 0.0}

    def processed(topic: str, partition: int, offset: int) -> None:
        if not progress["count"]:
            progress["start"] = time.perf_counter()
        progress["count"] += 1
        if progress["count"] >= expected_count:
            progress["end"] = time.perf_counter()
            app.stop()

    app._on_message_processed = processed  # noqa: SLF001 - set after the app exists

    source_topic = app.topic(source, value_deserializer="bytes", key_deserializer="bytes")
    sink_topic = app.topic(sink, value_serializer="bytes", key_serializer="bytes")

    def fold(value: bytes, key: bytes, timestamp: int, headers: object, state: object) -> list[bytes]:
        where = {"topic": source, "partition": 0, "offset": 0}
        try:
            event = decode(value)
        except DecodeError as exc:
            return [encode(rejection_for(reasons=[str(exc)], original=value, key=key, **where))]
        if problems := envelope_problems(event, key):
            return [encode(rejection_for(reasons=problems, original=value, key=key, event=event, **where))]
        raw = state.get("lead")  # type: ignore[attr-defined]
        outcome = evolve(state_from_json(raw.encode()) if raw else None, event, policy)
        out = []
        if outcome.state is not None and not outcome.duplicate:
            state.set("lead", state_to_json(outcome.state).decode())  # type: ignore[attr-defined]
            out = [encode(e) for e in outcome.emitted]
        if outcome.rejection is not None:
            reasons = [outcome.rejection]
            out.append(encode(rejection_for(reasons=reasons, original=value, key=key, event=event, **where)))
        return out

    sdf = app.dataframe(source_topic)
    sdf = sdf.apply(fold, stateful=True, expand=True, metadata=True)
    sdf.to_topic(sink_topic)
    app.run()
    elapsed = progress["end"] - progress["start"]
    print(json.dumps({"events": progress["count"], "events_per_s": progress["count"] / elapsed if elapsed else 0.0}))


if __name__ == "__main__":
    main()
