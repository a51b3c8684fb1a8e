"""The ``leadledger`` command: local broker, topics, worker."""

from __future__ import annotations

import json
import os
import sys
from typing import NoReturn

import typer

from streams.broker.admin import create_topics
from streams.broker.jars import KafkaSetupError, ensure_jars
from streams.broker.local_broker import LocalKafka
from streams.cli import replay as cli_replay
from streams.cli import tokens as cli_tokens
from streams.cli import verify as cli_verify
from streams.cli.foreground import run_in_foreground
from streams.settings import Settings

cli = typer.Typer(help="leadledger: lead hand-off on Apache Kafka.", no_args_is_help=True)
kafka_cli = typer.Typer(help="The local single-node KRaft broker.", no_args_is_help=True)
cli.add_typer(kafka_cli, name="kafka")


def fail(message: str) -> NoReturn:
    typer.echo(f"leadledger: {message}", err=True)
    raise typer.Exit(1)


def local_broker(settings: Settings) -> LocalKafka:
    port = int(settings.bootstrap_servers.split(",")[0].rsplit(":", 1)[1])
    return LocalKafka(home=settings.home / "kafka", port=port, controller_port=port + 1)


@kafka_cli.command("jars")
def kafka_jars() -> None:
    """Fetch the pinned Kafka jars (once) into ~/.cache/leadledger."""
    try:
        typer.echo(f"Kafka jars in {ensure_jars()}")
    except KafkaSetupError as exc:
        fail(str(exc))


@kafka_cli.command("start")
def kafka_start() -> None:
    """Start the broker (a no-op when it runs) and wait until it answers."""
    broker = local_broker(Settings.from_env())
    try:
        ensure_jars()
        pid = broker.start()
    except KafkaSetupError as exc:
        fail(str(exc))
    typer.echo(
        f"Kafka running (pid {pid}) on {broker.status()['bootstrap']}; log: {broker.log_file}"
    )


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
    """Create every topic of the registry with its settings (idempotent)."""
    settings = Settings.from_env()
    try:
        for name in create_topics(settings.bootstrap_servers, settings.namespace):
            typer.echo(name)
    except Exception as exc:
        fail(f"creating topics on {settings.bootstrap_servers} failed: {exc}")


@cli.command("worker")
def worker() -> None:
    """Run the Faust worker with its web server, in the foreground."""
    settings = Settings.from_env()
    command = [
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
    raise typer.Exit(run_in_foreground(command, dict(os.environ), say))


def say(message: str) -> None:
    typer.echo(f"leadledger: {message}", err=True)


@cli.command("up")
def up() -> None:
    """Jars, broker, topics, then the worker in the foreground."""
    settings = Settings.from_env()
    kafka_start()
    topics()
    base = f"http://{settings.web_host}:{settings.web_port}"
    if settings.auth:
        # A new local operator token at every start (the previous one is revoked): the
        # views need one, and only its hash is kept, so it cannot be shown again later.
        token = cli_tokens.local_operator_token(settings)
        typer.echo(
            f"Operator token (this run; hash in {settings.token_path}):\n  {token}\n"
            f"  curl -H 'Authorization: Bearer {token}' {base}/stats"
        )
    else:
        say("LEADLEDGER_AUTH=off: the views are open to anyone who reaches the port")
    typer.echo(
        f"Worker views on {base}/stats and /leads/{{id}}; broker at "
        f"{settings.bootstrap_servers}. Ctrl-C stops the worker."
    )
    worker()


cli_replay.register(cli)
cli_verify.register(cli)
cli_tokens.register(cli)


def main() -> None:
    cli()
