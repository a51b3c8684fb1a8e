"""``leadledger demo``: publish a backdated partner week to the running worker.

The story is ``streams.demo.week`` (two partners, an agreement, 200 leads, breaches, a
refused share, an erasure). The command publishes it as the operator
(``streams/identity/clients.py``) on the internal topics, the agreement first: it waits
until the worker shows the agreement ACTIVE before any share (the documented ordering
guarantee, docs/partners.md). It then replays its own events (the auditors' replay, a
pure function) to know which escalations the worker must raise, waits until the worker
lists them all, and prints where to look, with a dashboard token for each partner.

To read the views while it waits it issues itself an operator token, never printed,
and revokes it before it ends. The partners' tokens are printed once, like
``leadledger tokens issue``; running the demo again replaces them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from kafka import KafkaProducer

from projections.policy import load_policy
from projections.replay import replay
from schemas.codec import encode
from schemas.envelope import Envelope
from streams.broker.topics import AGREEMENTS, LEADS, topic_name
from streams.cli.access import operator_access
from streams.demo.week import GENERATOR, RECEIVER, Week, partner_week
from streams.demo.week import LEADS as LEAD_COUNT
from streams.settings import Settings
from streams.web.token_store import issue, revoke

WAIT_LABEL = "demo-wait"


def _base_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.web_host in ("0.0.0.0", "") else settings.web_host  # noqa: S104
    return f"http://{host}:{settings.web_port}"


@contextmanager
def _waiting_token(settings: Settings) -> Iterator[str | None]:
    """An operator token for the demo's own polling, revoked when it is done."""
    if not settings.auth:
        yield None
        return
    entry, token = issue(settings.token_path, "operator", label=WAIT_LABEL, replace=True)
    try:
        yield token
    finally:
        revoke(settings.token_path, entry.token_id)


def _get(url: str, token: str | None) -> tuple[int, Any]:
    request = urllib.request.Request(url)  # noqa: S310 - the worker's own http URL
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError):
        return 0, None


def _wait(what: str, check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            typer.echo(
                f"leadledger: the worker did not show {what} within {timeout:.0f} s", err=True
            )
            raise typer.Exit(1)
        time.sleep(0.5)


def _publish(producer: KafkaProducer, topic: str, events: list[Envelope]) -> None:
    sent = [producer.send(topic, key=e.subject.encode(), value=encode(e)) for e in events]
    producer.flush()
    for future in sent:
        future.get()  # raises if the broker did not take it


def publish_week(
    settings: Settings, week: Week, token: str | None, timeout: float
) -> list[dict[str, Any]]:
    """Publish the week and wait for the worker; the escalations replay says it raises."""
    base = _base_url(settings)
    producer = KafkaProducer(**operator_access(settings).kafka_python(), acks="all")
    try:
        _publish(producer, topic_name(AGREEMENTS, settings.namespace), week.agreement_events)
        agreement = f"{base}/agreements/{week.agreement_id}"

        def active() -> bool:
            status, body = _get(agreement, token)
            return status == 200 and body.get("state") == "ACTIVE"

        _wait(f"agreement {week.agreement_id} ACTIVE", active, timeout)
        _publish(producer, topic_name(LEADS, settings.namespace), week.lead_events)
    finally:
        producer.close()
    events = [*week.agreement_events, *week.lead_events]
    expected = replay(events, week.now, load_policy(settings.policy_file)).escalation_rows()
    wanted = {row["escalation_id"] for row in expected}

    def raised() -> bool:
        status, rows = _get(f"{base}/escalations", token)
        return status == 200 and wanted <= {row["escalation_id"] for row in rows}

    _wait(f"the demo's {len(wanted)} escalations", raised, timeout)
    return expected


def demo_command(
    now: Annotated[
        str | None, typer.Option("--now", help="the week ends here (ISO-8601); default: now")
    ] = None,
    run: Annotated[
        str | None, typer.Option("--run", help="a tag in every id; default: from the time")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="seconds to wait for the worker")
    ] = 120.0,
) -> None:
    """Publish a backdated partner week to the running worker and print where to look."""
    settings = Settings.from_env()
    end = datetime.fromisoformat(now.replace("Z", "+00:00")) if now else datetime.now(UTC)
    week = partner_week(end, run or end.strftime("%m%d%H%M%S"))
    with _waiting_token(settings) as token:
        expected = publish_week(settings, week, token, timeout)
    tokens = {
        partner: issue(settings.token_path, "partner", partner, f"demo:{partner}", replace=True)[1]
        for partner in (GENERATOR, RECEIVER)
    }
    typer.echo(summary(settings, week, expected, tokens))


def summary(
    settings: Settings, week: Week, expected: list[dict[str, Any]], tokens: dict[str, str]
) -> str:
    base = _base_url(settings)
    rules = Counter(str(row["rule"]) for row in expected)
    breaches = ", ".join(f"{n} {rule}" for rule, n in sorted(rules.items()))
    lines = [
        f"Published run {week.run}: {len(week.agreement_events)} agreement events and "
        f"{len(week.lead_events)} lead events ({LEAD_COUNT} leads, {GENERATOR} shares with "
        f"{RECEIVER} under {week.agreement_id}), backdated to the week before "
        f"{week.now.isoformat()}.",
        f"The worker raised its {len(expected)} escalations: {breaches}.",
        "",
        "Where to look (log in with a token; it is kept in a cookie, never in the URL):",
        f"  {base}/dashboard                      the operator token `make run` printed",
        f"  {base}/partners/{GENERATOR}/dashboard  {GENERATOR}'s token: {tokens[GENERATOR]}",
        f"  {base}/partners/{RECEIVER}/dashboard   {RECEIVER}'s token: {tokens[RECEIVER]}",
        f'  curl -H "Authorization: Bearer $TOKEN" {base}/escalations',
        f'  curl -H "Authorization: Bearer $TOKEN" {base}/leads/{week.lead_id(0)}',
    ]
    return "\n".join(lines)


def register(cli: typer.Typer) -> None:
    cli.command("demo")(demo_command)
