"""The door's early 409 (``streams/web/event_reuse.py``): the fold's reason for an id the
worker holds applied with other content; nothing for a repost, an unknown aggregate, or
a table it cannot read (the fold still decides)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from projections.admission.decide import Publisher
from projections.agreement.codec import agreement_to_json
from projections.lead.state import state_to_json
from streams.web.event_reuse import reuse_errors
from tests.support.agreements import Agreement
from tests.support.agreements import at as agreement_at
from tests.support.agreements import fold as fold_agreement
from tests.support.leads import Lead, at, fold

CRM = Publisher("partner-a", "internal")


class Unreadable(dict[str, bytes]):
    def get(self, key: str, default: Any = None) -> Any:
        raise RuntimeError("partition not ready")


def runtime(leads: dict[str, bytes], agreements: dict[str, bytes] | None = None) -> Any:
    return SimpleNamespace(leads=leads, agreements=agreements or {}, disputes={}, lead_keys={})


def test_a_lead_event_reused_with_other_content_is_a_409_error_naming_the_first() -> None:
    lead = Lead()
    activity = lead.activity(at(1), "webinar", points=5)
    state = fold([lead.captured(), activity]).lead
    rt = runtime({lead.lead_id: state_to_json(state)})
    other = activity.model_copy(update={"data": activity.data.model_copy(update={"points": 9})})
    (error,) = reuse_errors(rt, CRM, (lead.activity(at(2)), other))
    assert (error["index"], error["event_id"]) == (1, activity.event_id)
    assert state.digests[activity.event_id] in error["reasons"][0]
    # The door stamps source and source_kind as admission does: a repost is no error.
    assert reuse_errors(rt, CRM, (activity,)) == []
    assert reuse_errors(runtime({}), CRM, (other,)) == []  # not held here: the fold decides
    assert reuse_errors(runtime(Unreadable()), CRM, (other,)) == []


def test_an_agreement_event_reused_by_another_publisher_is_a_409() -> None:
    agreement = Agreement()
    signed = agreement.signed(agreement_at(1), "gen")
    state, _, _ = fold_agreement([agreement.proposed(), signed])
    assert state is not None
    rt = runtime({}, {agreement.agreement_id: agreement_to_json(state)})
    portal = Publisher("partner-portal", "internal")
    assert reuse_errors(rt, portal, (signed,)) == []
    (error,) = reuse_errors(rt, Publisher("gen", "external"), (signed,))
    assert error["event_id"] == signed.event_id
