"""The partner registry: which partners exist and whether each is one of the own
organisation's systems (``internal``) or another company (``external``).

``$LEADLEDGER_HOME/partners.json``, written like the token file: owner-only (0600),
atomically (a temporary file renamed over it), so a worker rereading it never sees
half a file. It holds no secret: the SCRAM credentials live in the broker, the HTTP
tokens' digests in the token file. ``leadledger partners add|rotate|remove`` write it;
the admission step reads it to know what a publisher may say.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from streams.private_files import write_private_json

Kind = Literal["internal", "external"]

# Lower-case letters, digits and '-': a partner id names Kafka topics, a SCRAM user and
# consumer groups, so it must be valid (and unambiguous) in all three.
PARTNER_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# The project's own principals (broker, worker, operator) carry this prefix, so no
# partner can be provisioned under one of their names.
RESERVED_PREFIX = "leadledger"


class RegistryError(ValueError):
    """A partner id that cannot be used, or a partner that does not exist."""


def check_partner_id(partner_id: str) -> str:
    if not PARTNER_ID.match(partner_id):
        raise RegistryError(
            f"partner id {partner_id!r} must be 1-64 lower-case letters, digits or '-',"
            " starting and ending with a letter or digit"
        )
    if partner_id.startswith(RESERVED_PREFIX):
        raise RegistryError(
            f"partner id {partner_id!r} starts with {RESERVED_PREFIX!r}, which is reserved"
            " for the project's own principals"
        )
    return partner_id


@dataclass(frozen=True, slots=True)
class Partner:
    partner_id: str
    kind: Kind
    added_at: str

    @property
    def internal(self) -> bool:
        return self.kind == "internal"


def registry_path(home: Path) -> Path:
    return home / "partners.json"


def load(path: Path) -> dict[str, Partner]:
    if not path.exists():
        return {}
    body = json.loads(path.read_text(encoding="utf-8"))
    return {row["partner_id"]: Partner(**row) for row in body["partners"]}


def save(path: Path, partners: dict[str, Partner]) -> None:
    rows = [asdict(partners[key]) for key in sorted(partners)]
    write_private_json(path, {"version": 1, "partners": rows})


def add(path: Path, partner_id: str, kind: Kind) -> Partner:
    """Register a partner; registering it again with the same kind changes nothing."""
    partners = load(path)
    check_partner_id(partner_id)
    known = partners.get(partner_id)
    if known is not None:
        if known.kind != kind:
            raise RegistryError(f"partner {partner_id!r} is already registered as {known.kind}")
        return known
    added = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    partners[partner_id] = Partner(partner_id, kind, added)
    save(path, partners)
    return partners[partner_id]


def remove(path: Path, partner_id: str) -> Partner:
    partners = load(path)
    if partner_id not in partners:
        raise RegistryError(f"no partner {partner_id!r} is registered")
    gone = partners.pop(partner_id)
    save(path, partners)
    return gone


class RegistryFollower:
    """The registry as a long-running reader sees it: reread when the file changes, so
    adding or removing a partner needs no worker restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._partners: dict[str, Partner] = {}

    def current(self) -> dict[str, Partner]:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            self._stamp, self._partners = None, {}
            return self._partners
        if stamp != self._stamp:
            self._partners, self._stamp = load(self.path), stamp
        return self._partners

    def get(self, partner_id: str) -> Partner | None:
        return self.current().get(partner_id)
