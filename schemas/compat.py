"""Schema evolution guard: every newest ``.avsc`` must read, and be read by, each older one.

Backward: the new reader reads every older writer. Forward: every older reader reads
the new writer. Checked with the ``avro`` package's ReaderWriterCompatibilityChecker.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

from schemas.avro_schemas import AVRO_ROOT


def _versions(root: Path) -> dict[str, list[tuple[int, avro.schema.Schema]]]:
    found: dict[str, list[tuple[int, avro.schema.Schema]]] = defaultdict(list)
    for path in sorted(root.glob("*/v*.avsc")):
        version = int(path.stem.removeprefix("v"))
        found[path.parent.name].append(
            (version, avro.schema.parse(json.dumps(json.loads(path.read_text()))))
        )
    return {name: sorted(v, key=lambda item: item[0]) for name, v in found.items()}


def _compatible(reader: avro.schema.Schema, writer: avro.schema.Schema) -> bool:
    checker = ReaderWriterCompatibilityChecker()  # type: ignore[no-untyped-call]  # avro is untyped
    result = checker.get_compatibility(reader, writer)
    return result.compatibility is SchemaCompatibilityType.compatible


def check_compatibility(root: Path = AVRO_ROOT) -> list[str]:
    """Every problem found; an empty list means the repository's schemas may ship."""
    problems = []
    for name, versions in _versions(root).items():
        newest_version, newest = versions[-1]
        for version, older in versions[:-1]:
            if not _compatible(newest, older):
                problems.append(f"{name} v{newest_version} cannot read v{version} (backward)")
            if not _compatible(older, newest):
                problems.append(f"{name} v{version} cannot read v{newest_version} (forward)")
    return problems
