"""The partnership golden log, replayed offline, gives the answers written from the rules
(tests/golden/README.md tells the scenario): agreement states, every partner's view
(received, shared, refused with reasons, commissions, disputes, KPIs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from projections.agreement.codec import to_view as agreement_view
from projections.partner_view.fold import to_view
from projections.replay import ReplayResult, replay
from tests.golden.load import golden

CASE = golden("partnership")
AS_OF = datetime.fromisoformat(CASE.expected["as_of"].replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def result() -> ReplayResult:
    return replay(CASE.events, AS_OF, CASE.policy)


@pytest.mark.parametrize("agreement_id", sorted(CASE.expected["agreements"]))
def test_agreement_states(result: ReplayResult, agreement_id: str) -> None:
    state = result.agreements.get(agreement_id)
    assert state is not None
    view = agreement_view(state, AS_OF)
    assert {"state": view["state"], "signed_by": view["signed_by"]} == CASE.expected["agreements"][
        agreement_id
    ]


@pytest.mark.parametrize("partner_id", sorted(CASE.expected["partners"]))
def test_partner_views(result: ReplayResult, partner_id: str) -> None:
    expected: dict[str, Any] = dict(CASE.expected["partners"][partner_id])
    body = to_view(result.partners[partner_id])
    overall = expected.pop("kpis_overall", None)
    meets = expected.pop("kpis_meets", None)
    assert {key: body[key] for key in expected} == expected
    if overall is not None:
        assert body["kpis"]["overall"] == overall
    if meets is not None:
        assert {a: k["meets"] for a, k in body["kpis"]["by_agreement"].items()} == meets


def test_the_deleted_lead_carries_an_unsettled_erasure_obligation(result: ReplayResult) -> None:
    (obligation,) = [o for o in result.leads["L-400"].obligations if o.kind == "erasure"]
    assert (obligation.partner_id, obligation.settled_at) == ("globex", None)
    assert result.leads["L-400"].shares[0].status == "deleted"


def test_no_partner_view_holds_another_partners_leads(result: ReplayResult) -> None:
    umbrella = to_view(result.partners["umbrella"])
    leads_seen = {d["lead_id"] for d in umbrella["received_detail"] + umbrella["shared_detail"]}
    assert leads_seen == {"L-200"}  # not L-100/L-300/L-400, which never involved umbrella
