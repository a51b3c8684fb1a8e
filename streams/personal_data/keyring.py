"""The key-encryption keys (KEKs) that wrap every lead key, kept outside Kafka.

The key topic holds each lead's key only wrapped (``key_records``): whoever reads the
topic, a broker's disk or a backup of it, gets ciphertext and a KEK id. Opening a
person needs the KEK too, and that lives here: by default ``$LEADLEDGER_HOME/keyring.json``
(``LEADLEDGER_KEYRING``), mode 0600, written atomically, generated the first time a
worker wraps a key. Every worker of a deployment and every command that opens persons
(``replay``, ``export``) reads the same file, like the token file.

Wrapping is AES-256-GCM under the KEK with a random 96-bit nonce and the lead id, the
lead key's id and the KEK id as associated data. Chosen over RFC 3394 key wrap
because key wrap has no associated data: a wrapped key copied onto another lead's
entry in the topic would unwrap there; with GCM it fails to open. Random nonces are
safe far beyond the number of leads a KEK will ever wrap (2^32 wraps per KEK).

``KeyWrapper`` is the seam for a KMS: ``wrap`` would call the KMS's encrypt with the
same three ids as its encryption context and return the KMS key version as the KEK
id; ``unwrap`` its decrypt. The KEK itself then never leaves the KMS.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
KEYRING_VERSION = 1


class KeyringError(Exception):
    """A wrapped key cannot be opened: no keyring, a KEK it lacks, or tampered bytes."""


@dataclass(frozen=True, slots=True)
class WrappedKey:
    kek_id: str
    blob: bytes  # nonce + AES-GCM ciphertext and tag


class KeyWrapper(Protocol):
    """What the worker and the auditor commands need of a keyring (or a KMS)."""

    def wrap(self, secret: bytes, *, lead_id: str, key_id: str) -> WrappedKey: ...

    def unwrap(self, wrapped: WrappedKey, *, lead_id: str, key_id: str) -> bytes: ...


def _associated(lead_id: str, key_id: str, kek_id: str) -> bytes:
    return json.dumps([lead_id, key_id, kek_id]).encode()


@dataclass(frozen=True, slots=True)
class Kek:
    kek_id: str
    secret: bytes  # 32 bytes
    created_at: str

    @staticmethod
    def generate() -> Kek:
        created = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return Kek(f"kek-{secrets.token_hex(8)}", AESGCM.generate_key(bit_length=256), created)


@dataclass(frozen=True, slots=True)
class Keks:
    """KEKs in memory: the current one wraps, any of them unwraps what it wrapped."""

    current: str
    by_id: dict[str, Kek]

    @staticmethod
    def of(keks: Iterable[Kek], current: str) -> Keks:
        by_id = {k.kek_id: k for k in keks}
        if current not in by_id:
            raise KeyringError(f"the current KEK {current} is not in the keyring")
        return Keks(current, by_id)

    @staticmethod
    def generate() -> Keks:
        kek = Kek.generate()
        return Keks(kek.kek_id, {kek.kek_id: kek})

    def wrap(self, secret: bytes, *, lead_id: str, key_id: str) -> WrappedKey:
        nonce = secrets.token_bytes(NONCE_BYTES)
        kek = self.by_id[self.current]
        sealed = AESGCM(kek.secret).encrypt(nonce, secret, _associated(lead_id, key_id, kek.kek_id))
        return WrappedKey(kek.kek_id, nonce + sealed)

    def unwrap(self, wrapped: WrappedKey, *, lead_id: str, key_id: str) -> bytes:
        kek = self.by_id.get(wrapped.kek_id)
        if kek is None:
            raise KeyringError(f"the key of {lead_id} is wrapped by {wrapped.kek_id}, not held")
        nonce, sealed = wrapped.blob[:NONCE_BYTES], wrapped.blob[NONCE_BYTES:]
        try:
            return AESGCM(kek.secret).decrypt(
                nonce, sealed, _associated(lead_id, key_id, kek.kek_id)
            )
        except (InvalidTag, ValueError):
            raise KeyringError(
                f"the wrapped key of {lead_id} does not open under {kek.kek_id} "
                "(altered, or moved from another lead)"
            ) from None


def _to_json(keks: Keks) -> str:
    rows = [
        {
            "kek_id": k.kek_id,
            "created_at": k.created_at,
            "key": base64.b64encode(k.secret).decode("ascii"),
        }
        for k in keks.by_id.values()
    ]
    return json.dumps({"version": KEYRING_VERSION, "current": keks.current, "keks": rows}, indent=2)


def _from_json(text: str) -> Keks:
    body = json.loads(text)
    keks = [Kek(r["kek_id"], base64.b64decode(r["key"]), r["created_at"]) for r in body["keks"]]
    return Keks.of(keks, body["current"])


class FileKeyring:
    """The keyring file: reread when it changes, so a rotation reaches running readers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._keks: Keks | None = None

    def load(self) -> Keks | None:
        """The file's KEKs, or None when there is no keyring yet."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._keks = None, None
            return None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._keks = _from_json(self.path.read_text(encoding="utf-8"))
            self._seen = seen
        return self._keks

    def ensure(self) -> Keks:
        """The KEKs, generating the first one if there is no keyring yet.

        Created with a hard link, which fails if the file exists: two workers starting
        on one shared home never end up with two different first KEKs.
        """
        if (found := self.load()) is not None:
            return found
        temporary = self._write_temporary(Keks.generate())
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            pass  # another process made it first: theirs is the keyring
        finally:
            temporary.unlink(missing_ok=True)
        keks = self.load()
        if keks is None:
            raise KeyringError(f"{self.path} vanished as it was created")
        return keks

    def wrap(self, secret: bytes, *, lead_id: str, key_id: str) -> WrappedKey:
        return self.ensure().wrap(secret, lead_id=lead_id, key_id=key_id)

    def unwrap(self, wrapped: WrappedKey, *, lead_id: str, key_id: str) -> bytes:
        # Never generates: a reader without the keyring must fail, not make a new one.
        keks = self.load()
        if keks is None:
            raise KeyringError(f"no keyring at {self.path} (LEADLEDGER_HOME / LEADLEDGER_KEYRING)")
        return keks.unwrap(wrapped, lead_id=lead_id, key_id=key_id)

    def current_kek_id(self) -> str:
        return self.ensure().current

    def kek_ids(self) -> list[str]:
        keks = self.load()
        return list(keks.by_id) if keks is not None else []

    def add_kek(self) -> str:
        """A new KEK becomes current; the others stay to unwrap what they wrapped."""
        keks = self.ensure()
        new = Kek.generate()
        self._save(Keks(new.kek_id, {**keks.by_id, new.kek_id: new}))
        return new.kek_id

    def retire_all_but(self, kek_id: str) -> list[str]:
        """Drop every KEK except ``kek_id`` (which becomes current); returns the dropped ids."""
        keks = self.ensure()
        kept = keks.by_id.get(kek_id)
        if kept is None:
            raise KeyringError(f"{kek_id} is not in {self.path}")
        self._save(Keks(kek_id, {kek_id: kept}))
        return [k for k in keks.by_id if k != kek_id]

    def _write_temporary(self, keks: Keks) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".keyring-", dir=self.path.parent)
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(_to_json(keks))
                out.flush()
                os.fsync(out.fileno())  # on disk before it is named the keyring
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return Path(temporary)

    def _save(self, keks: Keks) -> None:
        # Renamed over the old file: a reader sees the old keyring or the new, never half.
        self._write_temporary(keks).replace(self.path)
