"""Every committed ``.avsc``, loaded once: by type and version, and by fingerprint.

A fingerprint is the CRC-64-AVRO of the schema's Parsing Canonical Form (Avro
specification), the id that the single-object encoding puts in each message header.
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
    fingerprint: bytes  # 8 bytes, little-endian, as on the wire
    hints: Hints  # unions of records, for the encoder (schemas.union_hints)


def _load(path: Path, type_name: str) -> WriterSchema:
    raw = json.loads(path.read_text())
    parsed = parse_schema(raw)
    canonical = to_parsing_canonical_form(parsed)
    digest = int(fingerprint(canonical, "CRC-64-AVRO"), 16).to_bytes(8, "little")
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
    return {schema.fingerprint: schema for schema in all_schemas(root)}
