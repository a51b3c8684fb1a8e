"""The token file: hashes of the issued API tokens, outside the repository.

``$LEADLEDGER_TOKENS``, by default ``$LEADLEDGER_HOME/tokens.json``. It holds only
SHA-256 digests, but it is still written owner-only (0600), atomically (a temporary
file renamed over it), so a worker reading it never sees half a file. Every worker of
a deployment reads the same file (a shared volume, or a secret distributed to each
host); the worker rereads it when it changes, so issuing and revoking need no restart.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from projections.access import Role, TokenEntry, token_digest
from streams.private_files import write_private_json

TOKEN_PREFIX = "llt_"  # noqa: S105 - a prefix, no secret: makes a leaked token recognisable


def load_entries(path: Path) -> list[TokenEntry]:
    if not path.exists():
        return []
    body = json.loads(path.read_text(encoding="utf-8"))
    return [TokenEntry(**row) for row in body["tokens"]]


def save_entries(path: Path, entries: list[TokenEntry]) -> None:
    body = {"version": 1, "tokens": [asdict(e) for e in entries]}
    write_private_json(path, body)


def issue(
    path: Path, role: Role, partner_id: str | None = None, label: str = "", replace: bool = False
) -> tuple[TokenEntry, str]:
    """A new token and its stored entry; the token itself is shown once and never kept.

    ``replace`` first revokes the tokens with the same ``label`` (e.g. the local
    operator token ``leadledger up`` issues at every start).
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    entry = TokenEntry(
        token_id=secrets.token_hex(6),
        role=role,
        partner_id=partner_id,
        sha256=token_digest(token),
        issued_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        label=label,
    )
    kept = [e for e in load_entries(path) if not (replace and label and e.label == label)]
    save_entries(path, [*kept, entry])
    return entry, token


def revoke(path: Path, token_id: str) -> bool:
    entries = load_entries(path)
    kept = [e for e in entries if e.token_id != token_id]
    if len(kept) == len(entries):
        return False
    save_entries(path, kept)
    return True


class TokenFile:
    """The worker's view of the token file, reread when its mtime or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self.by_digest: dict[str, TokenEntry] = {}

    def current(self) -> dict[str, TokenEntry]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self.by_digest = None, {}
            return self.by_digest
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self.by_digest = {e.sha256: e for e in load_entries(self.path)}
            self._seen = seen
        return self.by_digest
