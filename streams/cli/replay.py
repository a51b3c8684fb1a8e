"""Auditor commands: ``replay``, ``export``, ``report follow-up``.

``replay`` is a contract other tools depend on: JSON on stdout and exit 0, or exit 2
with the offending line on stderr and nothing on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter, ValidationError

from projections.agreement.codec import to_view as agreement_view
from projections.agreement.state import party_ids
from projections.compliance.views import lead_privacy
from projections.decisions import counts, summary
from projections.lead.state import LeadState, to_view
from projections.partner_view.fold import to_view as partner_view
from projections.partner_view.state import PartnerView
from projections.policy import Policy, PolicyError, load_policy
from projections.replay import (
    ReplayResult,
    UnrecordedEventError,
    decide_log,
    refusals_up_to,
    replay_leads,
    weekly_mql_follow_up,
)
from schemas.envelope import UtcDatetime
from schemas.events import Event
from schemas.jsonl import LogLineError, read_log, write_log
from schemas.times import range_problem
from streams.broker.topics import KEY_TABLE, RECORD_LOG_TOPICS, changelog_name, topic_name
from streams.cli import progress
from streams.cli.access import operator_access
from streams.cli.collector import fewer_collections
from streams.cli.refusals import rejection_rows, write_outcomes
from streams.personal_data.keyring import FileKeyring, KeyringError
from streams.personal_data.replay_persons import PersonCount, replayed_person
from streams.personal_data.sealing import LeadKey
from streams.readback.event_log import ReadStats, read_topics
from streams.readback.key_topic import read_keys
from streams.settings import Settings

LOGS_HELP = "event-log files (JSON Lines, file order = log order), or `kafka` for the live topics"
_TIME: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


def usage_error(message: str) -> typer.Exit:
    typer.echo(f"leadledger: {message}", err=True)
    return typer.Exit(2)


def parse_time(value: str, option: str = "--as-of") -> datetime:
    """An ISO-8601 time with an offset inside the contract's range, or exit 2.

    The range (``schemas/times.py``) is the one events are held to, so replay answers
    for every time an event may state, and no clock due time can overflow."""
    try:
        moment = _TIME.validate_python(value.replace("Z", "+00:00"))
    except ValidationError:
        raise usage_error(f"{option} {value!r} is not an ISO-8601 time with an offset") from None
    if (problem := range_problem(moment)) is not None:
        raise usage_error(f"{option} {problem}")
    return moment


def _events(
    logs: list[str], settings: Settings, reads: ReadStats, steps: progress.Steps
) -> Iterator[Event]:
    for log in logs:
        if log == "kafka":  # the record log, not the intake topics
            topics = [topic_name(spec, settings.namespace) for spec in RECORD_LOG_TOPICS]
            yield from read_topics(operator_access(settings), topics, reads, steps)
        else:
            try:
                yield from steps.track(read_log(Path(log)))
            except LogLineError as exc:
                raise usage_error(f"{log}:{exc.line_number}: {exc.reason}") from None
            except OSError as exc:
                raise usage_error(f"{log}: {exc.strerror}") from None


def fold_logs(
    logs: list[str],
    as_of: str,
    policy_file: Path | None,
    known_at: str | None = None,
    keep: list[Event] | None = None,
) -> ReplayResult:
    """Fold the logs; ``keep``, when given, receives the events read (for the person)."""
    known = parse_time(known_at, "--known-at") if known_at is not None else None
    moment = parse_time(as_of)
    return _folded(
        logs, policy_file, lambda events, policy: replay_leads(events, moment, policy, known), keep
    )


Fold = Callable[[Iterable[Event], Policy], ReplayResult]


def _folded(
    logs: list[str], policy_file: Path | None, fold: Fold, keep: list[Event] | None = None
) -> ReplayResult:
    """Read every log, then fold it with the policy; exit 2 on what cannot be read."""
    settings = Settings.from_env()
    policy = _policy(policy_file, settings)
    with fewer_collections():
        # Materialised first, so a malformed line anywhere means nothing on stdout.
        reads = ReadStats()
        with progress.steps("reading") as steps:
            events = list(_events(logs, settings, reads, steps))
        if keep is not None:
            keep.extend(events)
        try:
            with progress.steps("folding", total=len(events)) as steps:
                result = fold(steps.track(events), policy)
        except UnrecordedEventError as exc:
            raise usage_error(str(exc)) from None
    report_skipped(result, reads)
    return result


def _policy(policy_file: Path | None, settings: Settings) -> Policy:
    try:
        return load_policy(policy_file or settings.policy_file)
    except PolicyError as exc:
        raise usage_error(str(exc)) from None


def refused_rows(
    logs: list[str], as_of: str, policy_file: Path | None, known_at: str | None = None
) -> list[dict[str, Any]]:
    """The ``--rejections`` answer: the records the fold refused that occurred by
    ``as_of`` (recorded by ``known_at``), each decided as the worker decided it."""
    known = parse_time(known_at, "--known-at") if known_at is not None else None
    moment = parse_time(as_of)
    listed = []

    def fold(events: Iterable[Event], policy: Policy) -> ReplayResult:
        refused, result = refusals_up_to(events, moment, policy, known)
        listed.extend(refused)
        return result

    _folded(logs, policy_file, fold)
    return rejection_rows(listed)


SHOWN_SKIPS = 20


def report_skipped(result: ReplayResult, reads: ReadStats) -> None:
    """Say on stderr what the answer left out, so an auditor sees it (stdout stays
    the answer): records the worker could not have applied, and unreadable ones."""
    if reads.undecodable or reads.miskeyed:
        typer.echo(
            f"leadledger: replay left out {reads.undecodable} undecodable and "
            f"{reads.miskeyed} mis-keyed records of the record log",
            err=True,
        )
    if not result.skipped:
        return
    typer.echo(f"leadledger: replay skipped {len(result.skipped)} recorded events:", err=True)
    for event_id, reason in result.skipped[:SHOWN_SKIPS]:
        typer.echo(f"  {event_id}: {reason}", err=True)
    if len(result.skipped) > SHOWN_SKIPS:
        typer.echo(f"  ... and {len(result.skipped) - SHOWN_SKIPS} more", err=True)


def _lead_view(state: LeadState, logs: list[str], events: list[Event]) -> dict[str, Any]:
    """The lead's view with its person: opened with the key topic's keys from Kafka."""
    keys = live_keys(Settings.from_env()) if "kafka" in logs else None
    return to_view(state) | {"person": replayed_person(state, events, keys)}


def live_keys(settings: Settings) -> dict[str, LeadKey]:
    """The key topic's lead keys, unwrapped with the keyring of ``LEADLEDGER_HOME``."""
    topic = changelog_name(KEY_TABLE, settings.app_id)
    try:
        return read_keys(operator_access(settings), topic, FileKeyring(settings.keyring_path))
    except KeyringError as exc:
        raise usage_error(f"cannot open the lead keys of {topic}: {exc}") from None


PolicyOption = Annotated[Path | None, typer.Option("--policy", help="policy TOML file")]


def replay(
    logs: Annotated[list[str], typer.Argument(help=LOGS_HELP)],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="ISO-8601 time: fold what occurred up to here"),
    ] = None,
    *,
    known_at: Annotated[
        str | None,
        typer.Option(
            "--known-at",
            help="ISO-8601 time: only what the system had recorded by then (record log only)",
        ),
    ] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="print this lead's state")] = None,
    escalations: Annotated[
        bool, typer.Option("--escalations", help="print every escalation")
    ] = False,
    rejections: Annotated[
        bool,
        typer.Option(
            "--rejections", help="print every record the folds refused, with their reasons"
        ),
    ] = False,
    partner: Annotated[
        str | None, typer.Option("--partner", help="print this partner's sharing view")
    ] = None,
    agreement: Annotated[
        str | None, typer.Option("--agreement", help="print this agreement's state")
    ] = None,
    policy: PolicyOption = None,
    privacy: Annotated[
        str | None, typer.Option("--privacy", help="print this lead's compliance view")
    ] = None,
) -> None:
    """Fold the log on event time up to --as-of (what was true then) and print JSON.

    --known-at also leaves out what was recorded after it (what the system knew then);
    --as-of defaults to it.
    """
    as_of = as_of or known_at
    if as_of is None:
        raise usage_error("give --as-of TIME, --known-at TIME or both")
    chosen = (lead, partner, agreement, privacy)
    if sum(o is not None for o in chosen) + escalations + rejections != 1:
        raise usage_error(
            "give exactly one of --lead ID, --escalations, --rejections, --partner ID, "
            "--agreement ID or --privacy ID"
        )
    if rejections:
        typer.echo(json.dumps(refused_rows(logs, as_of, policy, known_at), indent=2))
        return
    events: list[Event] = []
    result = fold_logs(logs, as_of, policy, known_at, keep=events)
    if escalations:
        typer.echo(json.dumps(result.escalation_rows(), indent=2))
        return
    if privacy is not None:
        found = result.leads.get(privacy)
        body = lead_privacy(found, result.agreements) if found is not None else None
    else:
        body = _one_view(result, lead, partner, agreement, parse_time(as_of))
    if lead is not None and lead in result.leads:
        body = _lead_view(result.leads[lead], logs, events)
    if body is None:
        what = "partner" if partner else "agreement" if agreement else "lead"
        name = lead or partner or agreement or privacy
        typer.echo(f"leadledger: no {what} {name!r} in the log up to {as_of}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(body, indent=2))


def _one_view(
    result: ReplayResult,
    lead: str | None,
    partner: str | None,
    agreement: str | None,
    as_of: datetime,
) -> dict[str, Any] | None:
    if lead is not None:
        state = result.leads.get(lead)
        return to_view(state) if state is not None else None
    if partner is not None:
        view = result.partners.get(partner)
        known = view is not None or any(partner in party_ids(a) for a in result.agreements.all())
        return partner_view(view or PartnerView(partner)) if known else None
    found = result.agreements.get(agreement or "")
    return agreement_view(found, as_of) if found is not None else None


def follow_up(
    logs: Annotated[list[str], typer.Argument(help=LOGS_HELP)],
    as_of: Annotated[str, typer.Option("--as-of")],
    policy: PolicyOption = None,
) -> None:
    """Weekly average MQL follow-up time (MQL to the first sales decision), in hours."""
    result = fold_logs(logs, as_of, policy)
    typer.echo(json.dumps(weekly_mql_follow_up(result.leads.values()), indent=2))


def export(
    out: Annotated[Path, typer.Option("--out", help="JSON-Lines file to write")],
    outcomes: Annotated[
        Path | None,
        typer.Option(
            "--outcomes",
            help="also write, per exported line, whether the fold accepted or refused it",
        ),
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Write the record log to the canonical JSON-Lines form, for an auditor.

    Events are written as recorded: persons sealed, hashes intact (``verify`` checks
    the file). The summary counts, from the key topic, the captured persons a key still
    opens and those erased (key gone); ``replay kafka --lead`` shows one opened. The
    record log holds refused events too: the summary counts the accepted and refused
    ones, and ``--outcomes FILE`` says which is which, line by line.
    """
    settings = Settings.from_env()
    chosen_policy = _policy(policy, settings)
    topics = [topic_name(spec, settings.namespace) for spec in RECORD_LOG_TOPICS]
    stats = ReadStats()
    persons = PersonCount(live_keys(settings))
    with fewer_collections(), progress.steps("exporting") as steps:
        events = list(persons.seen(read_topics(operator_access(settings), topics, stats, steps)))
    with progress.steps("deciding", total=len(events)) as steps:
        decisions, _ = decide_log(steps.track(events), chosen_policy)
    with out.open("w", encoding="utf-8") as handle:
        count = write_log(events, handle)
    if outcomes is not None:
        with outcomes.open("w", encoding="utf-8") as handle:
            write_outcomes(decisions, handle)
    typer.echo(
        f"{count} events written to {out} ({stats.undecodable} undecodable and "
        f"{stats.miskeyed} mis-keyed records skipped; persons: {persons.openable} "
        f"under a live key, {persons.erased} erased; folds: {summary(counts(decisions))})",
        err=True,
    )


def register(cli: typer.Typer) -> None:
    cli.command("replay")(replay)
    cli.command("export")(export)
    report = typer.Typer(help="Reports.", no_args_is_help=True)
    report.command("follow-up")(follow_up)
    cli.add_typer(report, name="report")
