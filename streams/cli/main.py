"""The ``leadledger`` command: local broker, topics, worker."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from streams import local_auth
from streams.broker.admin import create_partner_topics, create_topics
from streams.broker.jars import KafkaSetupError, ensure_jars
from streams.broker.local_broker import LocalKafka
from streams.cli import deliver as cli_deliver
from streams.cli import demo as cli_demo
from streams.cli import keys as cli_keys
from streams.cli import partners as cli_partners
from streams.cli import replay as cli_replay
from streams.cli import tokens as cli_tokens
from streams.cli import verify as cli_verify
from streams.cli.access import operator_access
from streams.cli.foreground import Transcript, run_in_foreground
from streams.identity import registry
from streams.identity.credentials import credentials_path
from streams.settings import Settings

cli = typer.Typer(help="leadledger: lead hand-off on Apache Kafka.", no_args_is_help=True)
kafka_cli = typer.Typer(help="The local single-node KRaft broker.", no_args_is_help=True)
cli.add_typer(kafka_cli, name="kafka")


def fail(message: str) -> NoReturn:
    typer.echo(f"leadledger: {message}", err=True)
    raise typer.Exit(1)


def _port(settings: Settings) -> int:
    return int(settings.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])


def local_broker(settings: Settings) -> LocalKafka:
    """The broker under ``$LEADLEDGER_HOME/kafka``, to stop or ask about."""
    port = _port(settings)
    return LocalKafka(home=settings.home / "kafka", port=port, controller_port=port + 1)


def secured_local_broker(settings: Settings, external: str | None = None) -> LocalKafka:
    """The same broker, to start: with its credentials beside it
    (``$LEADLEDGER_HOME/kafka-credentials.json``, created on first use)."""
    port = _port(settings)
    broker, _ = local_auth.local_kafka(settings.home, port, port + 1, external=external)
    return broker


ExternalOption = Annotated[
    str | None,
    typer.Option(
        "--external",
        help="HOST:PORT of a SASL_SSL listener for other machines (CA in $LEADLEDGER_HOME/tls)",
        envvar="LEADLEDGER_EXTERNAL_LISTENER",
    ),
]


@kafka_cli.command("jars")
def kafka_jars() -> None:
    """Fetch the pinned Kafka jars (once) into ~/.cache/leadledger."""
    try:
        typer.echo(f"Kafka jars in {ensure_jars()}")
    except KafkaSetupError as exc:
        fail(str(exc))


@kafka_cli.command("start")
def kafka_start(external: ExternalOption = None) -> None:
    """Start the broker (a no-op when it runs) and wait until it answers."""
    settings = Settings.from_env()
    try:
        broker = secured_local_broker(settings, external)
        ensure_jars()
        pid = broker.start()
    except (KafkaSetupError, ValueError) as exc:
        fail(str(exc))
    typer.echo(
        f"Kafka running (pid {pid}) on {broker.status()['bootstrap']} (SASL/SCRAM; "
        f"credentials in {credentials_path(settings.home)}); log: {broker.log_file}"
    )
    if external:
        ca = settings.home / "tls" / "ca.pem"
        typer.echo(f"SASL_SSL listener for other machines on {external}; its CA: {ca}")


@kafka_cli.command("stop")
def kafka_stop() -> None:
    broker = local_broker(Settings.from_env())
    broker.stop()
    typer.echo("Kafka stopped")


@kafka_cli.command("status")
def kafka_status() -> None:
    typer.echo(json.dumps(local_broker(Settings.from_env()).status(), indent=2))


@cli.command("topics")
def topics() -> None:
    """Create every topic of the registry with its settings, and the publish topic and
    feed of every registered partner (idempotent)."""
    settings = Settings.from_env()
    client = operator_access(settings).kafka_python()
    try:
        for name in create_topics(client, settings.namespace):
            typer.echo(name)
        for partner_id in registry.load(registry.registry_path(settings.home)):
            for name in create_partner_topics(client, settings.namespace, partner_id):
                typer.echo(name)
    except Exception as exc:
        fail(f"creating topics on {settings.bootstrap_servers} failed: {exc}")


@cli.command("worker")
def worker() -> None:
    """Run the Faust worker with its web server, in the foreground."""
    raise typer.Exit(run_in_foreground(worker_command(Settings.from_env()), dict(os.environ), say))


def worker_command(settings: Settings) -> list[str]:
    return [
        sys.executable,
        "-m",
        "faust",
        "-A",
        "streams.app",
        "worker",
        "-l",
        "info",
        "--web-host",
        settings.web_host,
        "--web-port",
        str(settings.web_port),
    ]


def say(message: str) -> None:
    typer.echo(f"leadledger: {message}", err=True)


@cli.command("up")
def up() -> None:
    """Jars, broker, topics, then the worker in the foreground."""
    settings = Settings.from_env()
    kafka_start(os.environ.get("LEADLEDGER_EXTERNAL_LISTENER") or None)
    topics()
    # A new local operator token at every start (the previous one is revoked): the views
    # need one, and only its hash is kept, so it cannot be shown again later.
    token = cli_tokens.local_operator_token(settings) if settings.auth else None
    log_file = settings.home / "worker.log"
    summary = up_summary(settings, token, local_broker(settings).log_file, log_file)
    typer.echo(summary)
    # Printed again once the worker is ready: by then ~300 start-up lines have buried it.
    ready = Transcript(log_file, lambda: typer.echo(f"\nleadledger is ready.\n{summary}"))
    code = run_in_foreground(worker_command(settings), dict(os.environ), say, ready)
    raise typer.Exit(code)


def up_summary(settings: Settings, token: str | None, broker_log: Path, worker_log: Path) -> str:
    """What a person needs after ``leadledger up``: the token, the URLs, the logs."""
    base = f"http://{settings.web_host}:{settings.web_port}"
    if token is None:
        access = "LEADLEDGER_AUTH=off: the views are open to anyone who reaches the port"
    else:
        access = (
            f"Operator token (this run; hash in {settings.token_path}):\n  {token}\n"
            f"  curl -H 'Authorization: Bearer {token}' {base}/stats"
        )
    return (
        f"{access}\n"
        f"Worker views on {base}/stats and {base}/leads/{{id}}; broker at "
        f"{settings.bootstrap_servers} (SASL/SCRAM; the worker's and operator's passwords "
        f"in {credentials_path(settings.home)}).\n"
        f"Logs: worker {worker_log}, broker {broker_log}. Ctrl-C stops the worker.\n"
        f"Keyring (wraps every lead key; back it up, losing it erases every person): "
        f"{settings.keyring_path}\n"
        f"Commands (leadledger replay, verify, tokens, ...) run inside the venv: "
        f".venv/bin/leadledger --help"
    )


cli_replay.register(cli)
cli_verify.register(cli)
cli_tokens.register(cli)
cli_keys.register(cli)
cli_partners.register(cli)
cli_demo.register(cli)
cli_deliver.register(cli)


def main() -> None:
    cli()
