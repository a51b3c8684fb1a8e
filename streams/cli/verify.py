"""``leadledger verify LOG... | kafka``: is the recorded history what the recorder wrote?

Exit 0 and ``history intact: N events, M subjects``; exit 1 and the first broken or
missing link (position in log order, where it was read, event id, subject, reason);
exit 2 when the log cannot be read at all (no such file, no broker, no topic).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from kafka.errors import KafkaError
from pydantic import ValidationError

from projections.verify import Entry, verify
from schemas.events import parse_event_json
from streams.cli import progress
from streams.cli.access import operator_access
from streams.cli.progress import Steps
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


def verify_command(
    sources: Annotated[list[str], typer.Argument(help=SOURCES_HELP)],
) -> None:
    """Check every subject's hash chain; report the first broken or missing link."""
    settings = Settings.from_env()
    try:
        with progress.steps("verifying") as steps:
            verdict = verify(steps.track(_entries(sources, settings, steps)))
    except (OSError, MissingTopicError, KafkaError) as exc:
        typer.echo(f"leadledger: cannot read the record log: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(verdict.message())
    if verdict.broken is not None:
        raise typer.Exit(1)


def register(cli: typer.Typer) -> None:
    cli.command("verify")(verify_command)
