"""``leadledger partners``: the operator puts partners on the bus and takes them off.

``add ID`` creates the partner's publish topic and feed, its SCRAM user and ACLs
(``streams.identity.provisioning``) and its HTTP token, registers it
(``$LEADLEDGER_HOME/partners.json``) and prints its client settings once, as JSON: the
password and the token are shown then and stored nowhere in clear (the broker keeps a
salted SCRAM hash, the token file a SHA-256). ``rotate ID`` replaces both (the old ones
are refused from then on); ``remove ID`` takes away its credentials, ACLs, tokens and
registry entry, and keeps what it published (the record log is kept forever).

``--internal`` marks one of the own organisation's systems (marketing automation, CRM,
sales tools, a downstream service), which may publish the lead lifecycle decisions
about any lead (``projections.admission``) and read every escalation and notification.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from kafka import KafkaAdminClient

from streams.broker.admin import create_partner_topics
from streams.broker.topics import (
    ESCALATIONS,
    NOTIFICATIONS,
    feed_topic_name,
    publish_topic_name,
    topic_name,
)
from streams.cli.access import operator_access
from streams.identity import provisioning, registry
from streams.identity.clients import SCRAM, KafkaAccess
from streams.identity.credentials import new_password
from streams.identity.registry import RegistryError
from streams.settings import Settings
from streams.web.token_store import issue, load_entries, save_entries

partners_cli = typer.Typer(
    help="Partners on the bus: credentials, topics, ACLs, tokens.", no_args_is_help=True
)

PartnerId = Annotated[str, typer.Argument(help="the partner's id: its SCRAM user name too")]
BootstrapOption = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-servers",
        help="the address partners connect to, if not the operator's (e.g. the SASL_SSL "
        "listener of `leadledger kafka start --external`)",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="print the settings as JSON (docs/onboarding.md)")
]
CaOption = Annotated[
    str | None,
    typer.Option("--ssl-cafile", help="the CA file partners trust (SASL_SSL listeners)"),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"leadledger: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def _admin(access: KafkaAccess) -> Iterator[KafkaAdminClient]:
    admin = KafkaAdminClient(**access.kafka_python(), client_id="leadledger-partners")
    try:
        yield admin
    finally:
        admin.close()


def token_label(partner_id: str) -> str:
    return f"partner:{partner_id}"


def client_settings(access: KafkaAccess, grant: provisioning.Grant, token: str) -> dict[str, Any]:
    """What a partner receives, in the shape docs/onboarding.md documents."""
    protocol = access.security_protocol if access.sasl else "SASL_PLAINTEXT"
    return {
        "partner_id": grant.partner_id,
        "kafka": {
            "bootstrap_servers": access.bootstrap_servers,
            "security_protocol": protocol,
            "sasl_mechanism": SCRAM,
            "username": grant.partner_id,
            "password": grant.password,
            "ssl_cafile": access.ssl_cafile if protocol == "SASL_SSL" else None,
        },
        "publish_topic": grant.publish_topic,
        "subscribe_topic": grant.feed_topic,
        "group_prefix": grant.group_prefix,
        "http_token": token,
    }


def _partner_access(
    operator: KafkaAccess, bootstrap: str | None, cafile: str | None
) -> KafkaAccess:
    return KafkaAccess(
        bootstrap or operator.bootstrap_servers,
        security_protocol="SASL_SSL" if cafile else operator.security_protocol,
        ssl_cafile=cafile or operator.ssl_cafile,
    )


def _revoke_tokens(settings: Settings, partner_id: str) -> int:
    entries = load_entries(settings.token_path)
    kept = [e for e in entries if e.partner_id != partner_id]
    if len(kept) != len(entries):
        save_entries(settings.token_path, kept)
    return len(entries) - len(kept)


def _new_token(settings: Settings, partner_id: str) -> str:
    _revoke_tokens(settings, partner_id)  # one token per partner: the one just printed
    _, token = issue(settings.token_path, "partner", partner_id, token_label(partner_id))
    return token


def _print_settings(body: dict[str, Any], as_json: bool) -> None:
    typer.echo(
        "Give these settings to the partner over a secure channel; the password and the "
        "token are shown only now (docs/onboarding.md).",
        err=True,
    )
    if as_json:
        typer.echo(json.dumps(body, indent=2))
        return
    kafka = body["kafka"]
    rows = [
        ("partner", body["partner_id"]),
        ("bootstrap servers", kafka["bootstrap_servers"]),
        ("security", f"{kafka['security_protocol']}, {kafka['sasl_mechanism']}"),
        ("username", kafka["username"]),
        ("password", kafka["password"]),
        ("CA file", kafka["ssl_cafile"] or "-"),
        ("publish to", body["publish_topic"]),
        ("subscribe to", body["subscribe_topic"]),
        ("consumer groups", body["group_prefix"] + "*"),
        ("HTTP token", body["http_token"]),
    ]
    for name, value in rows:
        typer.echo(f"{name:<18}{value}")


def internal_reads(namespace: str) -> list[str]:
    """What an internal partner (a downstream service of our own) may read besides its
    feed: every escalation and notification, whoever they are addressed to."""
    return [topic_name(ESCALATIONS, namespace), topic_name(NOTIFICATIONS, namespace)]


def add_command(
    partner_id: PartnerId,
    internal: Annotated[
        bool, typer.Option("--internal", help="one of the own organisation's systems")
    ] = False,
    bootstrap_servers: BootstrapOption = None,
    ssl_cafile: CaOption = None,
    as_json: JsonOption = False,
) -> None:
    """Provision a partner and print its client settings once (stdout)."""
    settings = Settings.from_env()
    path = registry.registry_path(settings.home)
    kind: registry.Kind = "internal" if internal else "external"
    try:
        registry.check_partner_id(partner_id)
        known = registry.load(path).get(partner_id)
    except RegistryError as exc:
        raise _fail(str(exc)) from None
    if known is not None:
        raise _fail(
            f"partner {partner_id!r} is already on the bus ({known.kind}, since "
            f"{known.added_at}); `leadledger partners rotate {partner_id}` gives it new "
            "credentials"
        )
    operator = operator_access(settings)
    publish = publish_topic_name(settings.namespace, partner_id)
    feed = feed_topic_name(settings.namespace, partner_id)
    try:
        # Topics, then the user and its ACLs, then the registry: an add that fails
        # half-way leaves the partner unregistered (its events refused) and can be re-run.
        create_partner_topics(operator.kafka_python(), settings.namespace, partner_id)
        with _admin(operator) as admin:
            reads = internal_reads(settings.namespace) if internal else []
            grant = provisioning.provision(
                admin, settings.namespace, partner_id, publish, feed, internal_reads=reads
            )
    except provisioning.ProvisioningError as exc:
        raise _fail(str(exc)) from None
    token = _new_token(settings, partner_id)
    registry.add(path, partner_id, kind)
    typer.echo(f"partner {partner_id} ({kind}) is on the bus: {publish} -> {feed}", err=True)
    access = _partner_access(operator, bootstrap_servers, ssl_cafile)
    _print_settings(client_settings(access, grant, token), as_json)


def _registered(settings: Settings, partner_id: str) -> registry.Partner:
    known = registry.load(registry.registry_path(settings.home)).get(partner_id)
    if known is None:
        raise _fail(f"no partner {partner_id!r} is registered (`leadledger partners list`)")
    return known


def rotate_command(
    partner_id: PartnerId,
    bootstrap_servers: BootstrapOption = None,
    ssl_cafile: CaOption = None,
    as_json: JsonOption = False,
) -> None:
    """New password and token for a partner; the old ones are refused from now on."""
    settings = Settings.from_env()
    _registered(settings, partner_id)
    operator = operator_access(settings)
    password = new_password()
    try:
        with _admin(operator) as admin:
            provisioning.set_password(admin, partner_id, password)
    except provisioning.ProvisioningError as exc:
        raise _fail(str(exc)) from None
    grant = provisioning.Grant(
        partner_id,
        password,
        publish_topic_name(settings.namespace, partner_id),
        feed_topic_name(settings.namespace, partner_id),
        provisioning.group_prefix(settings.namespace, partner_id),
    )
    token = _new_token(settings, partner_id)
    typer.echo(f"partner {partner_id}: new password and token", err=True)
    access = _partner_access(operator, bootstrap_servers, ssl_cafile)
    _print_settings(client_settings(access, grant, token), as_json)


def remove_command(partner_id: PartnerId) -> None:
    """Take a partner off the bus: credentials, ACLs, tokens, registry entry. What it
    published stays in the record log."""
    settings = Settings.from_env()
    _registered(settings, partner_id)
    try:
        with _admin(operator_access(settings)) as admin:
            acls = provisioning.revoke_all(admin, partner_id)
            provisioning.delete_user(admin, partner_id)
    except provisioning.ProvisioningError as exc:
        raise _fail(str(exc)) from None
    tokens = _revoke_tokens(settings, partner_id)
    registry.remove(registry.registry_path(settings.home), partner_id)
    typer.echo(
        f"partner {partner_id} removed: SCRAM user deleted, {acls} ACLs and {tokens} "
        "token(s) revoked; its topics and what it published are kept"
    )


def list_command() -> None:
    """The registered partners: id, kind, since, publish topic, feed."""
    settings = Settings.from_env()
    for partner in registry.load(registry.registry_path(settings.home)).values():
        publish = publish_topic_name(settings.namespace, partner.partner_id)
        feed = feed_topic_name(settings.namespace, partner.partner_id)
        typer.echo(f"{partner.partner_id}\t{partner.kind}\t{partner.added_at}\t{publish}\t{feed}")


def register(cli: typer.Typer) -> None:
    partners_cli.command("add")(add_command)
    partners_cli.command("rotate")(rotate_command)
    partners_cli.command("remove")(remove_command)
    partners_cli.command("list")(list_command)
    cli.add_typer(partners_cli, name="partners")
