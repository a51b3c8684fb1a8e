"""Load a golden log, its policy and its expected answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projections.policy import Policy, load_policy
from schemas.events import Event
from schemas.jsonl import read_log

GOLDEN = Path(__file__).resolve().parent
NAMES = sorted(path.name.removesuffix(".jsonl") for path in GOLDEN.glob("*.jsonl"))


@dataclass
class Golden:
    name: str
    log: Path
    events: list[Event]
    policy: Policy
    policy_file: Path | None
    expected: dict[str, Any]


def golden(name: str) -> Golden:
    policy_file = GOLDEN / f"{name}.policy.toml"
    chosen = policy_file if policy_file.exists() else None
    log = GOLDEN / f"{name}.jsonl"
    expected = json.loads((GOLDEN / f"{name}.expected.json").read_text())
    return Golden(name, log, list(read_log(log)), load_policy(chosen), chosen, expected)
