"""``derived_id`` builds uuid5 by hand for speed: it must be exactly ``uuid.uuid5``."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from projections.ids import NAMESPACE, derived_id


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_derived_id_is_uuid5_of_the_joined_parts(parts: list[str]) -> None:
    assert derived_id(*parts) == str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def test_derived_id_of_a_known_cause_is_stable() -> None:
    expected = str(uuid.uuid5(NAMESPACE, "L1|MQL_NOT_ASSIGNED:e1|scheduled"))
    assert derived_id("L1", "MQL_NOT_ASSIGNED:e1", "scheduled") == expected
    assert uuid.UUID(derived_id("a")).version == 5
