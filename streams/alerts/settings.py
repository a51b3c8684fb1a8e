"""The deliverer's own settings, from the environment (docs/alerts.md#settings).

Apart from ``streams/settings.py`` because only ``leadledger deliver`` reads them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from projections.alerts.retry import STANDARD_SCHEDULE, RetrySchedule

TlsMode = Literal["starttls", "implicit"]


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """An SMTP server reached over TLS only: STARTTLS (587) or implicit TLS (465)."""

    host: str
    port: int
    tls: TlsMode
    sender: str
    username: str | None = None
    cafile: Path | None = None  # a private CA to trust instead of the system's


@dataclass(frozen=True, slots=True)
class DeliverSettings:
    schedule: RetrySchedule = field(default_factory=lambda: RetrySchedule(STANDARD_SCHEDULE))
    smtp: SmtpSettings | None = None
    outbox_file: Path | None = None
    request_timeout: float = 15.0
    # Sends under way at once; the rest wait their turn in the outbox.
    concurrency: int = 8

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DeliverSettings:
        env = os.environ if environ is None else environ
        schedule = env.get("LEADLEDGER_ALERT_RETRY_SCHEDULE")
        outbox = env.get("LEADLEDGER_DELIVERIES")
        return cls(
            schedule=RetrySchedule.parse(schedule) if schedule else RetrySchedule(),
            smtp=_smtp(env),
            outbox_file=Path(outbox) if outbox else None,
            request_timeout=float(env.get("LEADLEDGER_ALERT_TIMEOUT_SECONDS") or 15.0),
        )


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("LEADLEDGER_SMTP_HOST")
    if not host:
        return None
    tls = env.get("LEADLEDGER_SMTP_TLS") or "starttls"
    if tls not in ("starttls", "implicit"):
        raise ValueError(f"LEADLEDGER_SMTP_TLS: starttls or implicit, not {tls!r}")
    default_port = 465 if tls == "implicit" else 587
    cafile = env.get("LEADLEDGER_SMTP_CAFILE")
    return SmtpSettings(
        host=host,
        port=int(env.get("LEADLEDGER_SMTP_PORT") or default_port),
        tls="implicit" if tls == "implicit" else "starttls",
        sender=env.get("LEADLEDGER_SMTP_FROM") or "leadledger@localhost",
        username=env.get("LEADLEDGER_SMTP_USERNAME") or None,
        cafile=Path(cafile) if cafile else None,
    )
