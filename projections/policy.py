"""The policy: the numbers of design/POLICY.md, overridable from one TOML file.

Validated with pydantic when the worker or the CLI starts; a bad key or value is a
:class:`PolicyError` naming it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# The seed's scoring appendix is not given; these defaults rank intent: a demo or quote
# request is close to buying, a click barely says anything.
DEFAULT_ACTIVITY_POINTS = {
    "email_open": 1,
    "email_click": 3,
    "web_visit": 2,
    "content_download": 8,
    "webinar": 15,
    "demo_request": 30,
    "contact_us": 25,
    "request_quote": 40,
}


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(default="2026-11-default", min_length=1)
    mql_threshold: int = Field(default=76, ge=1)
    activity_points: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_ACTIVITY_POINTS))
    unknown_activity_points: int = 1


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the bad key."""


def load_policy(path: Path | None) -> Policy:
    if path is None:
        return Policy()
    try:
        raw = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"{path}: {exc}") from exc
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(map(str, first["loc"]))
        raise PolicyError(f"{path}: {key}: {first['msg']}") from exc
