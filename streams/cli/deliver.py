"""``leadledger deliver`` (the deliverer, in the foreground) and ``leadledger
deliveries status|enable`` (its outbox: what was delivered, what waits, what is dead;
an endpoint disabled by a 410 enabled again). docs/alerts.md."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import Annotated

import typer

from projections.policy import PolicyError
from streams.alerts.deliverer import ConfigurationError, deliver, outbox_file
from streams.alerts.outbox import Outbox
from streams.alerts.secrets import SecretsError
from streams.alerts.settings import DeliverSettings
from streams.settings import Settings

deliveries_cli = typer.Typer(help="The deliverer's outbox (docs/alerts.md).")


def deliver_command() -> None:
    """Deliver escalations and notifications to the policy's webhooks and email, until
    stopped (Ctrl-C or SIGTERM)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = Settings.from_env()
        asyncio.run(_until_stopped(settings, DeliverSettings.from_env()))
    except (ConfigurationError, PolicyError, SecretsError, ValueError) as exc:
        typer.echo(f"leadledger: {exc}", err=True)
        raise typer.Exit(1) from exc


async def _until_stopped(settings: Settings, deliver_settings: DeliverSettings) -> None:
    task = asyncio.create_task(deliver(settings, deliver_settings, dict(os.environ)))
    loop = asyncio.get_running_loop()
    for stop in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(stop, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def status_command() -> None:
    """Rows per endpoint and state (pending, delivered, dead), and disabled endpoints."""
    outbox = Outbox(outbox_file(Settings.from_env(), DeliverSettings.from_env()))
    try:
        for (endpoint, state), n in sorted(outbox.counts().items()):
            typer.echo(f"{endpoint}\t{state}\t{n}")
        for endpoint, reason in sorted(outbox.disabled().items()):
            typer.echo(f"{endpoint}\tdisabled\t{reason}")
    finally:
        outbox.close()


def enable_command(
    endpoint: Annotated[str, typer.Argument(help="the endpoint's name in the policy")],
) -> None:
    """Send to an endpoint again that a 410 disabled (alerts dead-lettered meanwhile stay
    on the dead-letter topic)."""
    outbox = Outbox(outbox_file(Settings.from_env(), DeliverSettings.from_env()))
    try:
        enabled = outbox.enable(endpoint)
    finally:
        outbox.close()
    typer.echo(f"{endpoint}: {'enabled' if enabled else 'was not disabled'}")


def register(cli: typer.Typer) -> None:
    cli.command("deliver")(deliver_command)
    deliveries_cli.command("status")(status_command)
    deliveries_cli.command("enable")(enable_command)
    cli.add_typer(deliveries_cli, name="deliveries")
