"""Schema evolution: the repository passes, and a breaking v2 is caught."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from schemas.avro_schemas import AVRO_ROOT
from schemas.compat import check_compatibility


def test_repository_schemas_are_compatible() -> None:
    assert check_compatibility() == []


def _with_v2(tmp_path: Path, change: dict[str, object]) -> Path:
    root = tmp_path / "avro"
    shutil.copytree(AVRO_ROOT / "LeadActivity", root / "LeadActivity")
    for later in (root / "LeadActivity").glob("v*.avsc"):
        if later.name != "v1.avsc":
            later.unlink()  # the case is a v2 of our making, on v1 alone
    schema = json.loads((root / "LeadActivity" / "v1.avsc").read_text())
    schema["fields"].append(change)
    (root / "LeadActivity" / "v2.avsc").write_text(json.dumps(schema))
    return root


def test_optional_field_with_default_is_compatible(tmp_path: Path) -> None:
    root = _with_v2(tmp_path, {"name": "channel", "type": ["null", "string"], "default": None})
    assert check_compatibility(root) == []


def test_required_field_without_default_breaks_backward(tmp_path: Path) -> None:
    root = _with_v2(tmp_path, {"name": "channel", "type": "string"})
    assert check_compatibility(root) == ["LeadActivity v2 cannot read v1 (backward)"]
