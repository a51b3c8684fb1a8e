"""The commit watchdog's exits, kept in a file: the process that exits cannot report
them, the next one (restarted by its supervisor) does.

``$LEADLEDGER_HOME/watchdog-exits.json`` holds, per namespace, how many times a worker
exited so and why the last time. Workers of one namespace that share a home (one host,
one volume) share the count, as they share the token file and the keyring.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from streams.private_files import write_private_json

log = logging.getLogger(__name__)
FILE_NAME = "watchdog-exits.json"


def exits_path(home: Path) -> Path:
    return home / FILE_NAME


def read_exits(path: Path, namespace: str) -> int:
    """How many times a worker of ``namespace`` exited for stalled commits (0: none, or
    no readable file; a file that cannot be read is no reason to fail a scrape)."""
    return int(_read(path).get(namespace, {}).get("exits", 0))


def note_exit(path: Path, namespace: str, reason: str, at: datetime) -> None:
    """Count one exit; never raises (the caller exits next, whatever happens here)."""
    try:
        body = _read(path)
        entry = body.get(namespace, {})
        body[namespace] = {
            "exits": int(entry.get("exits", 0)) + 1,
            "last_at": at.isoformat(),
            "last_reason": reason,
        }
        write_private_json(path, body)
    except Exception:
        log.exception("could not count the watchdog's exit in %s", path)


def _read(path: Path) -> dict[str, Any]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}
