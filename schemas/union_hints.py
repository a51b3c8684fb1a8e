"""Name the branch of each union of records before fastavro writes it.

Given a plain dict for a union such as ``person: Person | SealedPerson`` or the
optional ``record: null | Recorded``, fastavro finds the branch by validating the value
against each record schema in turn, which was about a third of encoding a
LeadCaptured (14 -> 10 us of fastavro's body time, ``bench/codec_bench.py``). The
pydantic model already knows which branch it is, so the codec passes fastavro's tuple
notation, ``(full record name, dict)``, and fastavro skips the search. The bytes are
the same either way (``tests/schemas/test_codec_union_hints.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

Path = tuple[str, ...]
Hints = dict[Path, dict[str, str]]  # field path -> {model class name: Avro full name}


def union_hints(raw_schema: Mapping[str, Any]) -> Hints:
    """Every field path, through plain records, whose type is a union with records."""
    hints: Hints = {}
    _walk(raw_schema, raw_schema.get("namespace", ""), (), hints)
    return hints


def _full_name(record: Mapping[str, Any], namespace: str) -> str:
    name = str(record["name"])
    space = record.get("namespace", namespace)
    return name if "." in name or not space else f"{space}.{name}"


def _walk(record: Mapping[str, Any], namespace: str, path: Path, hints: Hints) -> None:
    namespace = record.get("namespace", namespace)
    for field in record.get("fields", ()):
        kind = field["type"]
        here = (*path, field["name"])
        if isinstance(kind, list):
            branches = {
                str(b["name"]).rsplit(".", 1)[-1]: _full_name(b, namespace)
                for b in kind
                if isinstance(b, dict) and b.get("type") == "record"
            }
            if branches:
                hints[here] = branches
        elif isinstance(kind, dict) and kind.get("type") == "record":
            _walk(kind, namespace, here, hints)


def apply_hints(model: BaseModel, body: dict[str, Any], hints: Hints) -> dict[str, Any]:
    """``body`` (the model's dump) with each union-of-records value as a named tuple."""
    for path, names in hints.items():
        owner: Any = model
        target: Any = body
        for name in path[:-1]:
            owner, target = getattr(owner, name, None), target.get(name)
            if owner is None or not isinstance(target, dict):
                break
        else:
            value = getattr(owner, path[-1], None)
            full = names.get(type(value).__name__) if isinstance(value, BaseModel) else None
            if full is not None:
                target[path[-1]] = (full, target[path[-1]])
    return body
