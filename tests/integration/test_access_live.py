"""Access on a real worker: a partner's token reads its own view and nothing else.

Two partners' views are built by the worker's partner agent from the partner-activity
topic (the one input of that view; the partnership golden test covers how the lead and
agreement agents produce those activities). Tokens are issued into the worker's token
file while it runs, as ``leadledger tokens issue`` does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.partner_system_events import PartnerActivity, PartnerActivityData
from streams.broker.topics import PARTNER_ACTIVITY, topic_name
from streams.web.token_store import issue, revoke
from tests.support.kafka_io import producer, publish
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration
OPERATOR_VIEWS = (
    "/stats",
    "/escalations",
    "/reports/mql-follow-up",
    "/leads/acc-lead-a",
    "/agreements/acc-ag",
    "/disputes/acc-ag-d",
    "/privacy/leads/acc-lead-a",
    "/privacy/agreements/acc-ag",
)


def received(partner: str, lead: str, sender: str) -> PartnerActivity:
    return PartnerActivity(
        event_id=f"{partner}-{lead}-received",
        subject=partner,
        occurred_at=datetime(2026, 11, 2, 9, tzinfo=UTC),
        source="leadledger",
        data=PartnerActivityData(
            activity_id=f"{partner}-{lead}",
            kind="share_received",
            lead_id=lead,
            agreement_id="acc-ag",
            counterparty=sender,
            details={"share_id": f"share-{lead}", "role": "receiver"},
        ),
    )


def test_a_partner_reads_its_own_view_only(live_worker: LiveWorker) -> None:
    a, b = f"{live_worker.namespace}-a", f"{live_worker.namespace}-b"
    with producer(live_worker.bootstrap) as prod:
        publish(
            prod,
            topic_name(PARTNER_ACTIVITY, live_worker.namespace),
            received(a, "acc-lead-a", b),
            received(b, "acc-lead-b", a),
        )
    live_worker.wait_for(f"/partners/{a}")  # as the operator
    live_worker.wait_for(f"/partners/{b}")
    a_entry, a_token = issue(live_worker.tokens_path, "partner", a)
    _, b_token = issue(live_worker.tokens_path, "partner", b)

    own = live_worker.get_as(f"/partners/{a}", a_token)
    assert own.status_code == 200
    assert own.json()["received"] == ["acc-lead-a"]
    assert "acc-lead-b" not in own.text
    assert live_worker.get_as(f"/partners/{a}/received", a_token).status_code == 200
    assert live_worker.get_as(f"/partners/{b}", b_token).json()["received"] == ["acc-lead-b"]

    # The compliance view of a partner's holdings is its own too (404: none yet).
    assert live_worker.get_as(f"/privacy/partners/{a}", a_token).status_code in {200, 404}
    refused_paths = (f"/partners/{b}", f"/partners/{b}/received", "/partners/nobody")
    for path in (*refused_paths, f"/privacy/partners/{b}"):
        refused = live_worker.get_as(path, a_token)
        assert refused.status_code == 403, path  # 403 before any lookup: no 404 to probe
        assert "acc-lead-b" not in refused.text
    for path in OPERATOR_VIEWS:
        assert live_worker.get_as(path, a_token).status_code == 403, path

    anonymous = live_worker.get_as(f"/partners/{a}", None)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert live_worker.get_as("/stats", None).status_code == 401
    unknown = live_worker.get_as(f"/partners/{a}", "llt_not-a-token")
    assert unknown.status_code == 401
    assert unknown.json() == {"error": "this bearer token is unknown or was revoked"}
    assert live_worker.get_as(f"/partners/{b}", a_token).json() == {
        "error": f"this token is partner {a}'s, not {b}'s"
    }
    assert live_worker.get_as(f"/partners/{b}", live_worker.operator_token).status_code == 200

    revoke(live_worker.tokens_path, a_entry.token_id)
    revoked = live_worker.get_as(f"/partners/{a}", a_token)
    assert revoked.status_code == 401
    assert "unknown or was revoked" in revoked.json()["error"]
