"""The operator's shell next to the session's worker, and what a partner does with the
settings ``leadledger partners add --json`` printed: for the integration tests of
partners publishing with their own identity."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from schemas.events import Event, parse_event
from streams.cli.main import cli
from streams.identity.credentials import OPERATOR
from tests.support.live_worker import LiveWorker


def operator_env(worker: LiveWorker) -> dict[str, str]:
    """The environment of an operator's shell beside ``worker``: its home, namespace
    and broker. Skips when the broker came from outside (it has no SCRAM users)."""
    if os.environ.get("KAFKA_SASL_USERNAME") != OPERATOR:
        pytest.skip("the session's broker was given from outside: it has no SCRAM users")
    return {
        "KAFKA_BOOTSTRAP_SERVERS": worker.bootstrap,
        "LEADLEDGER_NAMESPACE": worker.namespace,
        "LEADLEDGER_HOME": str(worker.home),
        "LEADLEDGER_TOKENS": str(worker.tokens_path),
    }


def leadledger(env: dict[str, str], *args: str) -> str:
    """``leadledger ARGS`` in that shell; its stdout, once it exited 0."""
    done = CliRunner().invoke(cli, list(args), env=env)
    assert done.exit_code == 0, f"{args}: {done.stderr}"
    return done.stdout


def added(env: dict[str, str], partner_id: str) -> dict[str, Any]:
    """The settings ``partners add ID --json`` printed, once."""
    settings: dict[str, Any] = json.loads(leadledger(env, "partners", "add", partner_id, "--json"))
    return settings


def kafka_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """kafka-python's arguments from the printed settings, as docs/onboarding.md shows."""
    kafka = settings["kafka"]
    return {
        "bootstrap_servers": kafka["bootstrap_servers"],
        "security_protocol": kafka["security_protocol"],
        "sasl_mechanism": kafka["sasl_mechanism"],
        "sasl_plain_username": kafka["username"],
        "sasl_plain_password": kafka["password"],
    }


def event(kind: str, subject: str, when: datetime, source: str, data: dict[str, Any]) -> Event:
    """An event as a partner writes it, parsed by the contract (a fresh id each time)."""
    return parse_event(
        {
            "event_id": f"{subject}-{kind}-{uuid.uuid4().hex[:6]}",
            "type": kind,
            "subject": subject,
            "occurred_at": when,
            "source": source,
            "data": data,
        }
    )
