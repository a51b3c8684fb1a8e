"""Fuzzing what the HTTP views parse from a request (issue 20, item 6): the ``since``
query, the ``Authorization`` header, the door's body and the door's encoding. Each
answers a value or a 4xx decision, never an exception (a 500).

The parsing and deciding functions are called directly: fast, no server. Same settings
as the intake fuzz: ``derandomize=True``, ``deadline=None``, a bounded example count.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from projections.access import (
    TokenEntry,
    authenticate,
    decide,
    decide_publish,
    presented_token,
    token_digest,
)
from projections.admission.decide import Publisher
from projections.admission.door import MAX_BODY_BYTES, judge_body
from schemas.codec import decode, encode
from streams.web.views import normalise_since
from tests.support.every_type import every_partner_type

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SCENARIO = every_partner_type("fv", now=NOW)
AS_JSON = [e.model_dump(mode="json", exclude={"record", "source_kind"}) for e in SCENARIO]
PUBLISHERS = [
    Publisher("gen-fv", "external"),
    Publisher("rec-fv", "external"),
    Publisher("partner-portal", "internal"),
]
DOOR_STATUSES = {202, 400, 403, 413, 422}

# --- since ------------------------------------------------------------------------

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(
    lambda m: f"{'+' if m >= 0 else '-'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
)
iso_times = st.builds(
    lambda moment, offset: moment.isoformat() + offset,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),  # noqa: DTZ001 - naive bounds
    st.one_of(offsets, st.just("Z"), st.just("")),
)


@FUZZ
@given(
    st.one_of(
        iso_times, st.text(max_size=60), st.binary(max_size=40).map(lambda b: b.decode("latin-1"))
    )
)
def test_since_is_a_time_or_a_400(since: str) -> None:
    try:
        compared_as = normalise_since(since)
    except ValueError:
        return  # the view answers 400 with the reason
    assert compared_as == "" or compared_as.endswith("Z")


# --- the Authorization header -------------------------------------------------------

PARTNER_TOKEN = "llt_partner-secret"
OPERATOR_TOKEN = "llt_operator-secret"
TOKENS = {
    token_digest(PARTNER_TOKEN): TokenEntry(
        "t1", "partner", "gen-fv", token_digest(PARTNER_TOKEN), "2026-11-02"
    ),
    token_digest(OPERATOR_TOKEN): TokenEntry(
        "t2", "operator", None, token_digest(OPERATOR_TOKEN), "2026-11-02"
    ),
}
headers = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.text(max_size=60).map(lambda t: f"Bearer {t}"),
    st.sampled_from(
        [f"Bearer {t}" for t in (PARTNER_TOKEN, OPERATOR_TOKEN)]
        + [f"bearer  {PARTNER_TOKEN} ", "Bearer", "Basic x"]
    ),
    st.integers(1_000, 100_000).map(lambda n: "Bearer " + "x" * n),  # an oversized header
    # What aiohttp makes of bytes that are not UTF-8 (it decodes with surrogateescape).
    st.binary(min_size=1, max_size=20).map(
        lambda b: "Bearer " + b.decode("utf-8", "surrogateescape")
    ),
)


@FUZZ
@given(headers, st.one_of(st.none(), st.text(max_size=30)))
def test_any_authorization_header_is_a_decision(header: str | None, scope: str | None) -> None:
    # Any header, lone surrogates included (aiohttp's decoding of bytes that are not
    # UTF-8): a decision, never an exception (once a 500).
    who = authenticate(TOKENS, header)
    presented = presented_token(header) is not None
    for decision in (
        decide(who, scope, token_presented=presented),
        decide_publish(who, token_presented=presented),
    ):
        assert decision.status in {200, 401, 403}
        assert decision.allowed == (decision.status == 200)
        assert decision.allowed or decision.reason


# --- the door's body ------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        st.text(max_size=30),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def altered_event(draw: st.DrawFn) -> dict[str, Any]:
    """A real event's JSON with one field (or one field of its data) replaced."""
    body = dict(draw(st.sampled_from(AS_JSON)))
    field = draw(st.sampled_from(sorted(body)))
    replacement = draw(
        st.one_of(
            json_values,
            st.sampled_from(["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", ""]),
            st.integers(1_000, 300_000).map(lambda n: "x" * n),
        )
    )
    if field == "data" and isinstance(body["data"], dict) and body["data"] and draw(st.booleans()):
        data = dict(body["data"])
        data[draw(st.sampled_from(sorted(data)))] = replacement
        body["data"] = data
    else:
        body[field] = replacement
    return body


@st.composite
def free_text(draw: st.DrawFn) -> dict[str, Any]:
    """A real event with any text, of any length, as its actor: still valid."""
    body = dict(draw(st.sampled_from(AS_JSON)))
    body["actor"] = draw(st.one_of(st.text(max_size=40), st.integers(1, 300_000).map("y".__mul__)))
    return body


bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(AS_JSON).map(lambda e: json.dumps(e).encode()),
    free_text().map(lambda e: json.dumps(e).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    altered_event().map(lambda e: json.dumps(e).encode()),
    st.lists(altered_event(), min_size=1, max_size=3).map(lambda es: json.dumps(es).encode()),
    st.sampled_from(AS_JSON).map(lambda e: json.dumps(e).encode()[: len(json.dumps(e)) // 2]),
)


@FUZZ
@given(bodies, st.sampled_from(PUBLISHERS))
def test_any_door_body_is_a_4xx_or_events_that_encode(raw: bytes, publisher: Publisher) -> None:
    answer = judge_body(raw, publisher)
    assert answer.status in DOOR_STATUSES
    event(f"door answers {answer.status}")
    body = answer.body()
    json.dumps(body)  # the answer is JSON
    if answer.status != 202:
        assert body["errors"]
        assert all(error["reasons"] for error in body["errors"])
        return
    assert len(raw) <= MAX_BODY_BYTES
    for published in answer.events:
        # The door publishes what encodes and answers 422 for what does not
        # (``streams/web/events.py``); what encodes reads back as the same event.
        try:
            encoded = encode(published)
        except Exception:
            continue
        assert decode(encoded) == published
