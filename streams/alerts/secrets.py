"""The deliverer's secrets: never in the repository or the policy file.

First match wins: the environment (``LEADLEDGER_WEBHOOK_SECRET_<ENDPOINT>``, the
endpoint's name upper-cased with ``-`` as ``_``; ``LEADLEDGER_SMTP_PASSWORD``), then
``$LEADLEDGER_HOME/alert-secrets.json``, which must be the owner's alone (0600, as
``streams/private_files.py`` writes it): ``{"webhooks": {"<endpoint>": "whsec_…"},
"smtp_password": "…"}``.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.private_files import write_private_json

SECRETS_FILE = "alert-secrets.json"


class SecretsError(ValueError):
    """A secrets file others may read, or one that is not the expected JSON."""


def secrets_path(home: Path) -> Path:
    return home / SECRETS_FILE


def webhook_variable(endpoint: str) -> str:
    return "LEADLEDGER_WEBHOOK_SECRET_" + endpoint.upper().replace("-", "_")


@dataclass(frozen=True, slots=True)
class AlertSecrets:
    webhooks: dict[str, str] = field(default_factory=dict)
    smtp_password: str | None = None

    def webhook(self, endpoint: str) -> str | None:
        return self.webhooks.get(endpoint)


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SecretsError(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise SecretsError(f"{path}: {exc}") from exc
    if not isinstance(body, dict):
        raise SecretsError(f"{path}: expected a JSON object")
    return body


def load_secrets(home: Path, endpoints: list[str], environ: Mapping[str, str]) -> AlertSecrets:
    stored = _read_file(secrets_path(home))
    webhooks = {str(k): str(v) for k, v in (stored.get("webhooks") or {}).items()}
    for endpoint in endpoints:
        if value := environ.get(webhook_variable(endpoint)):
            webhooks[endpoint] = value
    password = environ.get("LEADLEDGER_SMTP_PASSWORD") or stored.get("smtp_password")
    return AlertSecrets(webhooks, str(password) if password is not None else None)


def write_secrets(home: Path, secrets: AlertSecrets) -> None:
    """Write the secrets file, owner-only from its creation on (tests, operators' tools)."""
    body: dict[str, Any] = {"webhooks": dict(secrets.webhooks)}
    if secrets.smtp_password is not None:
        body["smtp_password"] = secrets.smtp_password
    write_private_json(secrets_path(home), body)
