"""The pure admission: identity stamped from the publisher, every forged partner field
refused with a reason naming both identities, and the types by kind."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projections.admission.decide import Admitted, Publisher, Refusal, admit_event, admit_message
from projections.admission.identity import NAMING_FIELDS
from projections.admission.table import EXTERNAL_MAY_PUBLISH, INTERNAL_ONLY, lane_of
from schemas.codec import encode
from schemas.envelope import Envelope
from schemas.events import PARTNER_EVENT_TYPES, parse_event
from tests.support.every_type import every_partner_type

ACME = Publisher("acme", "external")
CRM = Publisher("crm", "internal")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PARTNER_IDS = st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True)


@cache
def one_of_each() -> dict[str, Envelope]:
    """A valid event of every partner type (the wire-format scenario's); built once, so
    the property tests stay far inside hypothesis's deadline on a loaded machine."""
    return {e.type: e for e in every_partner_type("adm", T0)}


def as_published_by(event: Envelope, partner: str) -> Envelope:
    """The event with every partner-naming field set to ``partner``: honest."""
    body = event.model_dump(mode="json")
    body["source"] = partner
    naming = NAMING_FIELDS.get(type(event))
    if naming is not None:
        body["data"][naming[0].removeprefix("data.")] = partner
    if event.type == "AgreementProposed":
        body["data"]["parties"][0]["partner_id"] = partner
    return parse_event(body)


def forge(event: Envelope, field: str, other: str) -> Envelope:
    body = event.model_dump(mode="json")
    if field == "source":
        body["source"] = other
    elif field == "parties":
        for party in body["data"]["parties"]:
            party["partner_id"] = f"{other}-{party['role']}"
    else:
        body["data"][field.removeprefix("data.")] = other
    return parse_event(body)


FORGEABLE = (
    [("source", name) for name in sorted(PARTNER_EVENT_TYPES)]
    + [(field, cls.model_fields["type"].default) for cls, (field, _) in NAMING_FIELDS.items()]
    + [("parties", "AgreementProposed")]
)


def test_every_partner_type_is_in_the_scenario() -> None:
    assert set(one_of_each()) == PARTNER_EVENT_TYPES


@pytest.mark.parametrize(("field", "event_type"), FORGEABLE)
@pytest.mark.parametrize("publisher", [ACME, CRM], ids=["external", "internal"])
def test_a_forged_partner_field_is_refused_naming_both(
    field: str, event_type: str, publisher: Publisher
) -> None:
    honest = as_published_by(one_of_each()[event_type], publisher.partner_id)
    forged = forge(honest, field, "globex")
    decided = admit_event(forged, publisher, publisher.partner_id)
    assert isinstance(decided, Refusal)
    naming = [r for r in decided.reasons if "globex" in r and publisher.partner_id in r]
    assert naming, decided.reasons
    assert any("authenticated" in r for r in naming)


@given(publisher=PARTNER_IDS, claimed=PARTNER_IDS)
def test_source_is_the_publishers_whatever_the_payload_claims(publisher: str, claimed: str) -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], claimed)
    decided = admit_event(event, Publisher(publisher, "external"), publisher)
    if claimed == publisher:
        assert isinstance(decided, Admitted)
        assert (decided.event.source, decided.event.source_kind) == (publisher, "external")
    else:
        assert isinstance(decided, Refusal)
        assert any(publisher in r and claimed in r for r in decided.reasons)


@pytest.mark.parametrize("event_type", sorted(PARTNER_EVENT_TYPES))
def test_an_internal_partner_publishes_every_partner_type(event_type: str) -> None:
    event = as_published_by(one_of_each()[event_type], "crm")
    decided = admit_event(event, CRM, "crm")
    assert isinstance(decided, Admitted), decided
    assert decided.event.source_kind == "internal"
    assert decided.lane == lane_of(event_type)


@pytest.mark.parametrize("event_type", sorted(EXTERNAL_MAY_PUBLISH))
def test_an_external_partner_publishes_its_types(event_type: str) -> None:
    event = as_published_by(one_of_each()[event_type], "acme")
    assert isinstance(admit_event(event, ACME, "acme"), Admitted)


@pytest.mark.parametrize("event_type", sorted(INTERNAL_ONLY))
def test_an_external_partner_may_not_publish_the_lifecycle_decisions(event_type: str) -> None:
    event = as_published_by(one_of_each()[event_type], "acme")
    decided = admit_event(event, ACME, "acme")
    assert isinstance(decided, Refusal)
    assert any("external partner" in r and event_type in r for r in decided.reasons)


def test_lifecycle_decisions_are_internal_only() -> None:
    assert {"LeadAssigned", "LeadStatusChanged", "LeadScoreAdjusted"} <= INTERNAL_ONLY


def test_a_receiver_reports_its_own_pipeline_and_nothing_else_new() -> None:
    """Issue 17: the receiver's conversion and deal (the lead fold then checks it holds
    the lead); the funnel's decisions stay the own organisation's."""
    assert {"LeadConverted", "OpportunityClosed"} <= set(EXTERNAL_MAY_PUBLISH)
    assert {
        "DisputeResolved",
        "LeadAssigned",
        "LeadScoreAdjusted",
        "LeadStatusChanged",
    } == INTERNAL_ONLY


def test_system_types_are_refused_to_everyone() -> None:
    escalation = next(
        e for e in every_partner_type("sys", T0) if e.type == "LeadCaptured"
    ).model_dump(mode="json")
    escalation |= {
        "type": "EscalationRaised",
        "data": {"escalation_id": "x", "rule": "MQL_NOT_ASSIGNED", "due_at": T0.isoformat()},
    }
    event = parse_event(escalation | {"source": "crm"})
    decided = admit_event(event, CRM, "crm")
    assert isinstance(decided, Refusal)
    assert "system's own event type" in decided.reasons[0]


def test_an_unknown_publisher_is_refused() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "ghost")
    decided = admit_message(encode(event), event.subject.encode(), None, "ghost")
    assert isinstance(decided, Refusal)
    assert decided.reasons == ("unknown publisher ghost: no partner ghost is registered",)


def test_a_claimed_source_kind_other_than_the_registry_is_refused() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "acme")
    decided = admit_event(event.model_copy(update={"source_kind": "internal"}), ACME, "acme")
    assert isinstance(decided, Refusal)
    assert "registered as external" in decided.reasons[0]


def test_a_message_is_decoded_and_keyed_by_subject() -> None:
    event = as_published_by(one_of_each()["LeadCaptured"], "acme")
    assert isinstance(admit_message(encode(event), event.subject.encode(), ACME, "acme"), Admitted)
    miskeyed = admit_message(encode(event), b"other", ACME, "acme")
    assert isinstance(miskeyed, Refusal)
    assert "not the event subject" in miskeyed.reasons[-1]
    garbage = admit_message(b"\x00garbage", b"k", ACME, "acme")
    assert isinstance(garbage, Refusal)
    assert garbage.event is None
    assert "not Avro single-object encoding" in garbage.reasons[0]


@given(st.binary(max_size=200), st.one_of(st.none(), st.binary(max_size=20)))
def test_any_bytes_are_decided_never_raise(value: bytes, key: bytes | None) -> None:
    assert isinstance(admit_message(value, key, ACME, "acme"), Admitted | Refusal)


@pytest.mark.parametrize("occurred_at", ["9999-12-31T23:40:00Z", "0001-01-01T00:00:00Z"])
def test_a_time_outside_the_contracts_range_is_refused_before_forwarding(occurred_at: str) -> None:
    """Issue 20, item 3: the admission step refuses it, so it never reaches the intake,
    the fold or the record log."""
    event = as_published_by(one_of_each()["LeadCaptured"], "acme")
    body = event.model_dump(mode="json") | {"occurred_at": occurred_at}
    poison = type(event).model_validate(body, context={"as_recorded": True})
    decided = admit_message(encode(poison), event.subject.encode(), ACME, "acme")
    assert isinstance(decided, Refusal)
    assert "outside the contract's time range" in decided.reasons[0]
