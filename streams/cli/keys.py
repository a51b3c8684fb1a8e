"""``leadledger keys``: the key-encryption keys that wrap the lead keys.

``status`` shows the keyring and which KEK wraps how many lead keys; ``rotate``, with
every worker of the namespace stopped, re-wraps them all under a new KEK and then
retires the old ones (``streams.rekey.rotation``). The record log is not touched.
"""

from __future__ import annotations

import typer
from confluent_kafka import KafkaException

from streams.broker.topics import KEY_TABLE, changelog_name
from streams.cli.access import operator_access
from streams.personal_data.keyring import FileKeyring, KeyringError
from streams.rekey.rotation import RotationRefusedError, rotate, status
from streams.settings import Settings

keys_cli = typer.Typer(help="The key-encryption keys (KEKs) that wrap the lead keys.")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"leadledger: {message}", err=True)
    return typer.Exit(1)


def status_command() -> None:
    """The keyring's KEKs (never their bytes) and the live lead keys per KEK."""
    settings = Settings.from_env()
    keyring = FileKeyring(settings.keyring_path)
    keks = keyring.load()
    if keks is None:
        typer.echo(f"keyring: none yet at {keyring.path} (the worker makes it)")
    else:
        typer.echo(f"keyring: {keyring.path}")
        for kek in keks.by_id.values():
            mark = "current" if kek.kek_id == keks.current else "old"
            typer.echo(f"  {kek.kek_id}\t{mark}\tcreated {kek.created_at}")
    topic = changelog_name(KEY_TABLE, settings.app_id)
    counts = status(operator_access(settings), topic)
    typer.echo(f"lead keys in {topic}: {sum(counts.values())}")
    for kek_id, count in sorted(counts.items()):
        typer.echo(f"  {kek_id}\t{count}")


def rotate_command() -> None:
    """Re-wrap every lead key under a new KEK, then retire the old KEKs (workers stopped)."""
    settings = Settings.from_env()
    keyring = FileKeyring(settings.keyring_path)
    topic = changelog_name(KEY_TABLE, settings.app_id)
    try:
        done = rotate(operator_access(settings), topic, settings.app_id, keyring)
    except (RotationRefusedError, KeyringError) as exc:
        raise _fail(str(exc)) from None
    except KafkaException as exc:  # from the broker, half-way: nothing retired
        raise _fail(f"rotation stopped, the old KEKs are kept (run it again): {exc}") from None
    typer.echo(
        f"{done.rewrapped} lead keys re-wrapped under {done.new_kek} ({done.were_clear} "
        f"were in clear; {done.erased} erased left erased); retired: "
        f"{', '.join(done.retired) or 'none'}"
    )


def register(cli: typer.Typer) -> None:
    keys_cli.command("status")(status_command)
    keys_cli.command("rotate")(rotate_command)
    cli.add_typer(keys_cli, name="keys")
