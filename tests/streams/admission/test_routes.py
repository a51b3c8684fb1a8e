"""Where admitted events and feed copies go: the lanes are the topics the agents fold,
and a feed copy goes only to the partners a message names."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from projections.admission.table import AGREEMENT_LANE, LEAD_LANE
from schemas.codec import encode
from schemas.partner_system_events import (
    CommissionAccrued,
    CommissionAccruedData,
    PartnerActivity,
    PartnerActivityData,
)
from schemas.system_events import (
    EscalationRaised,
    EscalationRaisedData,
    EventRejected,
    EventRejectedData,
)
from streams.admission.feeds import addressed_to
from streams.agents.agreement import AGREEMENT_TYPES, DISPUTE_TYPES
from streams.agents.lead import LEADS_TOPIC_TYPES
from streams.broker.topics import partner_of_topic, publish_topic_pattern
from tests.projections.admission.test_decide import as_published_by, one_of_each

T0 = datetime(2026, 11, 2, tzinfo=UTC)
BASE = {"event_id": "x", "occurred_at": T0, "source": "leadledger"}


def test_lanes_are_what_the_agents_fold() -> None:
    assert LEAD_LANE == LEADS_TOPIC_TYPES
    folded = {c.model_fields["type"].default for c in AGREEMENT_TYPES + DISPUTE_TYPES}
    assert folded == AGREEMENT_LANE


def test_the_pattern_matches_publish_topics_only() -> None:
    import re

    pattern = re.compile(publish_topic_pattern("ns"))
    assert pattern.match("ns.in.acme")
    assert not pattern.match("ns.out.acme")
    assert not pattern.match("ns.leads")
    assert not pattern.match("other.in.acme")
    assert not pattern.match("nsXin.acme")
    assert partner_of_topic("ns.in.acme", "ns") == "acme"
    assert partner_of_topic("ns.leads", "ns") is None


def test_feed_copies_go_to_the_partners_named() -> None:
    escalation = EscalationRaised(
        **BASE,
        subject="L1",
        data=EscalationRaisedData(
            escalation_id="e", rule="PARTNER_NOT_RESPONDED", due_at=T0, notify=["acme", "initech"]
        ),
    )
    assert addressed_to(escalation, "ns") == {"acme", "initech"}
    accrued = CommissionAccrued(
        **BASE,
        subject="L1",
        data=CommissionAccruedData(
            commission_id="c",
            agreement_id="AG",
            payer="initech",
            payee="acme",
            amount=1.0,
            currency="EUR",
            due_at=T0,
        ),
    )
    assert addressed_to(accrued, "ns") == {"initech", "acme"}
    activity = PartnerActivity(
        **BASE, subject="acme", data=PartnerActivityData(activity_id="a", kind="share_sent")
    )
    assert addressed_to(activity, "ns") == {"acme"}


def test_a_fold_refusal_goes_to_the_feed_of_the_admitted_publisher_only() -> None:
    event = as_published_by(one_of_each()["LeadActivity"], "acme")

    def refused(original: bytes, topic: str) -> EventRejected:
        return EventRejected(
            **BASE,
            subject=event.subject,
            data=EventRejectedData(
                reasons=["r"], original=base64.b64encode(original).decode(), topic=topic
            ),
        )

    admitted = encode(event.model_copy(update={"source_kind": "external"}))
    assert addressed_to(refused(admitted, "ns.leads"), "ns") == {"acme"}
    # An operator's event (no source_kind) names nobody's feed, whatever its source says.
    assert addressed_to(refused(encode(event), "ns.leads"), "ns") == set()
    # The admission step's own refusals are sent to the feed by the step itself.
    assert addressed_to(refused(admitted, "ns.in.acme"), "ns") == set()
