"""``leadledger tokens``: the operator provisions, lists and revokes API tokens.

A token is printed once, when issued; only its SHA-256 goes into the token file
(``$LEADLEDGER_TOKENS``, default ``$LEADLEDGER_HOME/tokens.json``), never into the
repository. Running workers pick up the change without a restart.
"""

from __future__ import annotations

from typing import Annotated

import typer

from streams.settings import Settings
from streams.web.token_store import issue, load_entries, revoke

tokens_cli = typer.Typer(help="API tokens of the HTTP views (partners, operators).")
LOCAL_LABEL = "local-up"


def issue_command(
    partner_id: Annotated[
        str | None, typer.Argument(help="the partner whose views the token reads")
    ] = None,
    operator: Annotated[
        bool, typer.Option("--operator", help="an operator token: every view")
    ] = False,
    label: Annotated[str, typer.Option("--label", help="a note kept with the hash")] = "",
) -> None:
    """Issue a token and print it once (stdout); only its hash is stored."""
    if operator == (partner_id is not None):
        typer.echo("leadledger: give a PARTNER_ID or --operator, not both", err=True)
        raise typer.Exit(2)
    path = Settings.from_env().token_path
    entry, token = issue(path, "operator" if operator else "partner", partner_id, label)
    who = "operator" if operator else f"partner {partner_id}"
    typer.echo(f"token {entry.token_id} for {who} stored (hash only) in {path}", err=True)
    typer.echo(token)


def list_command() -> None:
    """The issued tokens: id, role, partner, when, label (never the token)."""
    for e in load_entries(Settings.from_env().token_path):
        typer.echo(f"{e.token_id}\t{e.role}\t{e.partner_id or '-'}\t{e.issued_at}\t{e.label}")


def revoke_command(token_id: Annotated[str, typer.Argument(help="as `tokens list` shows")]) -> None:
    """Revoke a token: the workers refuse it (401) once they see the file change."""
    if not revoke(Settings.from_env().token_path, token_id):
        typer.echo(f"leadledger: no token {token_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"token {token_id} revoked")


def local_operator_token(settings: Settings) -> str:
    """A fresh operator token for ``leadledger up``, replacing the previous local one."""
    _, token = issue(settings.token_path, "operator", label=LOCAL_LABEL, replace=True)
    return token


def register(cli: typer.Typer) -> None:
    tokens_cli.command("issue")(issue_command)
    tokens_cli.command("list")(list_command)
    tokens_cli.command("revoke")(revoke_command)
    cli.add_typer(tokens_cli, name="tokens")
