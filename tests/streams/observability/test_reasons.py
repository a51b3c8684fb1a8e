"""Reason classes from the very texts the code writes, so a reworded reason shows here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projections.admission.identity import identity_reasons
from projections.admission.table import type_problem
from projections.idempotency import reuse_reason
from schemas.codec import DecodeError, decode, decode_incoming, encode
from schemas.limits import event_too_large
from schemas.times import range_problem
from streams.observability import reasons
from tests.support.leads import Lead


def _decode_text(payload: bytes) -> str:
    with pytest.raises(DecodeError) as caught:
        decode_incoming(payload)
    return str(caught.value)


def test_decode_failures_are_told_apart() -> None:
    valid = encode(Lead("L1").captured())
    assert reasons.of_decode_error(_decode_text(b"\x00garbage")) == reasons.UNDECODABLE
    assert reasons.of_decode_error(_decode_text(valid[:2] + b"\x00" * 8)) == reasons.UNDECODABLE
    assert reasons.of_decode_error(_decode_text(valid + b"\x00")) == reasons.UNDECODABLE
    assert reasons.of_decode_error(_decode_text(b"x" * 300_000)) == reasons.OVERSIZED
    assert reasons.of_decode_error(str(event_too_large(10**6))) == reasons.OVERSIZED
    far = datetime(2150, 1, 1, tzinfo=UTC)
    assert reasons.of_decode_error(str(range_problem(far))) == reasons.OUT_OF_RANGE
    # Built past the model's own validator, as a partner's producer would send it.
    long_id = Lead("L1").captured().model_copy(update={"subject": "L" * 300})
    with pytest.raises(DecodeError) as caught:
        decode(encode(long_id))
    assert reasons.of_decode_error(str(caught.value)) == reasons.OVERSIZED
    assert reasons.of_decode_error("LeadCaptured: data.person: some new rule") == reasons.CONTRACT


def test_publisher_and_fold_reasons() -> None:
    captured = Lead("L1").captured()
    assert reasons.classify(identity_reasons(captured, "globex")) == reasons.IDENTITY
    problem = type_problem("LeadAssigned", "globex", "external")
    assert problem is not None
    assert reasons.classify([problem]) == reasons.NOT_PERMITTED
    reused = reuse_reason("e1", "aaaa", "bbbb")
    assert reasons.classify([reused], reasons.FOLD) == reasons.REUSED_ID
    assert reasons.classify(["illegal transition MQL -> NEW"], reasons.FOLD) == reasons.FOLD
    assert reasons.classify(["internal error: KeyError: 'x'"]) == reasons.INTERNAL
    assert reasons.classify(["something nobody wrote yet"]) == reasons.OTHER


def test_every_class_is_a_declared_label_value() -> None:
    texts = ["internal error: x", "event of 9 bytes is over the contract's limit", "x"]
    assert {reasons.classify(texts[i:]) for i in range(3)} <= set(reasons.REASON_CLASSES)
