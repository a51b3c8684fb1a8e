"""Every committed ``.avsc``, loaded once: by type and version, and by fingerprint.

A fingerprint is the CRC-64-AVRO of the schema's Parsing Canonical Form (Avro
specification), the id that the single-object encoding puts in each message header as
8 bytes, little-endian: for ``LeadActivity/v2.avsc`` Java's
``SchemaNormalization.parsingFingerprint64`` gives 4194012318399870539
(0x3a341ffb95d6364b), written ``4b 36 d6 95 fb 1f 34 3a``.

Until issue 16 leadledger wrote those 8 bytes reversed. Intake topics, changelogs and
record logs written then still hold such messages (the agreement book folds the whole
agreements intake at every start), so a reader also finds a schema by its reversed
fingerprint (:func:`by_legacy_fingerprint`); nothing writes it any more.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastavro import parse_schema
from fastavro.schema import fingerprint, to_parsing_canonical_form

from schemas.union_hints import Hints, union_hints

AVRO_ROOT = Path(__file__).resolve().parent / "avro"


@dataclass(frozen=True)
class WriterSchema:
    type_name: str
    version: int
    raw: dict[str, Any]
    parsed: Any
    fingerprint: bytes  # 8 bytes, little-endian, as the specification puts it on the wire
    hints: Hints  # unions of records, for the encoder (schemas.union_hints)

    @property
    def fingerprint64(self) -> int:
        """As Java's ``SchemaNormalization.parsingFingerprint64`` returns it (signed)."""
        return fingerprint64(self.fingerprint)

    @property
    def legacy_fingerprint(self) -> bytes:
        """The header bytes leadledger wrote before issue 16: reversed."""
        return self.fingerprint[::-1]


def wire_fingerprint(canonical_form: str) -> bytes:
    """The CRC-64-AVRO of a Parsing Canonical Form as the header's 8 bytes.

    fastavro's ``fingerprint`` returns the hex of exactly these bytes (the CRC's
    little-endian bytes, as Java's ``SchemaNormalization.fingerprint`` does), so they are
    taken as they are. Reading that hex as a big-endian number and writing the number
    little-endian, as this module did before issue 16, reversed them.
    """
    return bytes.fromhex(fingerprint(canonical_form, "CRC-64-AVRO"))


def fingerprint64(wire: bytes) -> int:
    """8 header bytes as the signed 64-bit number Java's Avro library prints."""
    return int.from_bytes(wire, "little", signed=True)


def _load(path: Path, type_name: str) -> WriterSchema:
    raw = json.loads(path.read_text())
    parsed = parse_schema(raw)
    digest = wire_fingerprint(to_parsing_canonical_form(parsed))
    version = int(path.stem.removeprefix("v"))
    return WriterSchema(type_name, version, raw, parsed, digest, union_hints(raw))


@cache
def all_schemas(root: Path = AVRO_ROOT) -> tuple[WriterSchema, ...]:
    """Every schema under ``root`` (one folder per type, ``v<N>.avsc`` per version)."""
    return tuple(_load(path, path.parent.name) for path in sorted(root.glob("*/v*.avsc")))


@cache
def latest(root: Path = AVRO_ROOT) -> dict[str, WriterSchema]:
    newest: dict[str, WriterSchema] = {}
    for schema in all_schemas(root):
        current = newest.get(schema.type_name)
        if current is None or schema.version > current.version:
            newest[schema.type_name] = schema
    return newest


@cache
def by_fingerprint(root: Path = AVRO_ROOT) -> dict[bytes, WriterSchema]:
    """Schemas by the header bytes the specification writes."""
    return {schema.fingerprint: schema for schema in all_schemas(root)}


@cache
def by_legacy_fingerprint(root: Path = AVRO_ROOT) -> dict[bytes, WriterSchema]:
    """Schemas by the reversed header bytes leadledger wrote before issue 16.

    Refuses to load if a reversed fingerprint is another schema's real one: a header
    would then name two schemas. (With 64-bit CRCs that takes a new ``.avsc`` of
    astronomically bad luck; ``tests/schemas/test_fingerprints.py`` loads every one.)
    """
    spec = by_fingerprint(root)
    legacy: dict[bytes, WriterSchema] = {}
    for schema in all_schemas(root):
        owner = spec.get(schema.legacy_fingerprint)
        if owner is not None and owner is not schema:
            raise ValueError(
                f"{schema.type_name} v{schema.version}'s reversed fingerprint is "
                f"{owner.type_name} v{owner.version}'s fingerprint: old messages would be ambiguous"
            )
        legacy[schema.legacy_fingerprint] = schema
    return legacy


@cache
def by_python_avro_fingerprint(root: Path = AVRO_ROOT) -> dict[bytes, WriterSchema]:
    """Schemas by the fingerprint the Python ``avro`` package's ``Schema.fingerprint()``
    computes, where it differs from the specification's. Never accepted on the wire:
    rejections name it (``schemas.codec``), so a partner sees what went wrong.

    avro 1.12 writes ``{"type":"long"}`` where the Parsing Canonical Form has ``"long"``
    for a field with a logical type, so every schema with a timestamp differs. Computed
    on first use only: it parses every schema a second time.
    """
    import avro.schema  # noqa: PLC0415 - only a rejection's explanation needs it

    variants: dict[bytes, WriterSchema] = {}
    for schema in all_schemas(root):
        theirs: bytes = avro.schema.parse(json.dumps(schema.raw)).fingerprint()
        if theirs != schema.fingerprint:
            variants[theirs] = schema
    return variants
