"""``leadledger verify LOG... | kafka``: is the recorded history what the recorder wrote?

Exit 0 and ``history intact: N events (A accepted, R refused), M subjects``; exit 1
and the first broken or missing link (position in log order, where it was read, event
id, subject, reason); exit 2 when the log cannot be read at all (no such file, no
broker, no topic) or the policy cannot be loaded.

The record log holds every event the folds decided on, refused ones too; an intact log
is folded, as replay folds it, to count which were accepted and which refused
(``projections/decisions.py``). A broken log is not folded: its verdict is the break.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, cast

import typer
from kafka.errors import KafkaError
from pydantic import ValidationError

from projections.decisions import counts, summary
from projections.policy import PolicyError, load_policy
from projections.replay import decide_log
from projections.verify import Entry, verify
from schemas.envelope import Envelope
from schemas.events import Event, parse_event_json
from streams.cli import progress
from streams.cli.access import operator_access
from streams.cli.collector import fewer_collections
from streams.cli.progress import Steps
from streams.readback.event_log import LogRecord, event_time_order
from streams.readback.record_log import MissingTopicError, read_record_log, record_log_topics
from streams.settings import Settings

SOURCES_HELP = (
    "record-log files (JSON Lines from `leadledger export`, file order = log order), "
    "or `kafka` for the record-log topics"
)


def file_entries(path: Path) -> Iterator[Entry]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield Entry(f"{path}:{number}", parse_event_json(line, as_recorded=True))
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(map(str, first["loc"]))
                why = f"{field}: {first['msg']}" if field else first["msg"]
                yield Entry(f"{path}:{number}", None, why)


def _entries(sources: list[str], settings: Settings, steps: Steps) -> Iterator[Entry]:
    for source in sources:
        if source == "kafka":
            topics = record_log_topics(settings.namespace)
            yield from read_record_log(operator_access(settings), topics, steps)
        else:
            yield from file_entries(Path(source))


def _kept(entries: Iterable[Entry], kept: list[Entry]) -> Iterator[Entry]:
    for entry in entries:
        kept.append(entry)
        yield entry


def fold_order(entries: list[Entry]) -> list[Envelope]:
    """The records in the order replay folds them: a file's in file order, Kafka's by
    event time, each subject's in log order (``event_time_order``, as ``replay kafka``)."""
    ordered: list[Envelope] = []
    from_kafka: list[LogRecord] = []
    for entry in entries:
        if entry.event is None:
            continue
        if entry.place is None:
            ordered.append(entry.event)
        else:
            topic, partition, offset = entry.place
            # decoded from the record log, so one of the contract's events
            event = cast(Event, entry.event)
            from_kafka.append(LogRecord(topic, partition, offset, 0, event))
    by_partition: dict[tuple[str, int], list[LogRecord]] = {}
    for record in from_kafka:
        by_partition.setdefault((record.topic, record.partition), []).append(record)
    ordered += [r.event for r in event_time_order(list(by_partition.values()))]
    return ordered


def verify_command(
    sources: Annotated[list[str], typer.Argument(help=SOURCES_HELP)],
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="policy TOML file the worker ran under")
    ] = None,
) -> None:
    """Check every subject's hash chain; report the first broken or missing link, or
    how many of the records the folds accepted and refused."""
    settings = Settings.from_env()
    try:
        policy = load_policy(policy_file or settings.policy_file)
    except PolicyError as exc:
        typer.echo(f"leadledger: {exc}", err=True)
        raise typer.Exit(2) from None
    read: list[Entry] = []
    try:
        with progress.steps("verifying") as steps:
            verdict = verify(_kept(steps.track(_entries(sources, settings, steps)), read))
    except (OSError, MissingTopicError, KafkaError) as exc:
        typer.echo(f"leadledger: cannot read the record log: {exc}", err=True)
        raise typer.Exit(2) from None
    if verdict.broken is None:
        with fewer_collections():
            decisions, _ = decide_log(fold_order(read), policy)
        verdict = dataclasses.replace(verdict, outcomes=summary(counts(decisions)))
    typer.echo(verdict.message())
    if verdict.broken is not None:
        raise typer.Exit(1)


def register(cli: typer.Typer) -> None:
    cli.command("verify")(verify_command)
