"""The table "Who may publish what" of docs/partners.md is the code's table."""

from __future__ import annotations

import re
from pathlib import Path

from projections.admission.table import EXTERNAL_MAY_PUBLISH, INTERNAL_ONLY
from schemas.events import PARTNER_EVENT_TYPES

PAGE = Path(__file__).parents[2] / "docs" / "partners.md"
ROW = re.compile(r"^\| `(\w+)` \| (yes|no) \| (yes|no) \|(.*)\|$", re.M)


def rows() -> dict[str, tuple[str, str, str]]:
    text = PAGE.read_text(encoding="utf-8")
    table = text.split("### Who may publish what", 1)[1].split("###", 1)[0]
    return {m[1]: (m[2], m[3], m[4].strip()) for m in ROW.finditer(table)}


def test_every_partner_type_is_in_the_table_once() -> None:
    assert set(rows()) == PARTNER_EVENT_TYPES


def test_the_table_says_what_the_code_decides() -> None:
    for event_type, (internal, external, about) in rows().items():
        assert internal == "yes"
        assert (external == "yes") == (event_type in EXTERNAL_MAY_PUBLISH), event_type
        assert (external == "no") == (event_type in INTERNAL_ONLY), event_type
        if external == "yes":
            assert (
                about.replace("`", "").split(" (")[0]
                == (EXTERNAL_MAY_PUBLISH[event_type].split(" (")[0])
            ), event_type
