"""What other folds ask of an agreement: state at a time, roles, NDA, the book, the codec."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from fastavro import parse_schema, schemaless_writer
from fastavro.schema import to_parsing_canonical_form

from projections.agreement.codec import agreement_from_json, agreement_to_json, to_view
from projections.agreement.state import (
    EMPTY_BOOK,
    EXPIRED,
    PROPOSED,
    TERMINATED,
    AgreementBook,
    nda_unsigned,
    role_of,
    state_at,
)
from schemas.agreement_events import Party
from schemas.avro_schemas import AVRO_ROOT, wire_fingerprint
from schemas.codec import MAGIC, decode
from schemas.system_events import DeadlineDue
from tests.support.agreements import T0, Agreement, at, fold, terms

BOTH = [Party(partner_id="gen", role="generator"), Party(partner_id="rec", role="receiver")]
BOTH.append(Party(partner_id="duo", role="both"))


def test_roles_of_parties_and_strangers() -> None:
    ag = Agreement()
    state, _, _ = fold([ag.proposed(T0, parties=BOTH)])
    assert state is not None
    assert [role_of(state, p) for p in ("gen", "rec", "duo", "x")] == [
        "generator",
        "receiver",
        "both",
        None,
    ]


def test_the_earlier_end_wins() -> None:
    ag = Agreement()
    short = terms(expires_at=at(20), termination={"notice_days": 0})
    events = [
        ag.proposed(T0, short),
        *ag.signed_by_all(at(1)),
        ag.terminated(at(5), effective_at=at(50)),
    ]
    state, _, _ = fold(events)
    assert state is not None
    assert state_at(state, at(0.5)) == PROPOSED
    assert state_at(state, at(25)) == EXPIRED
    assert state_at(state, at(60)) == EXPIRED
    events[-1] = ag.terminated(at(5), effective_at=at(10))
    state, _, _ = fold(events)
    assert state is not None
    assert state_at(state, at(25)) == TERMINATED


def test_nda_reading_signing_the_agreement_accepts_the_nda() -> None:
    ag = Agreement()
    nda = terms(nda_required=True)
    state, _, _ = fold([ag.proposed(T0, nda), ag.signed(at(1), "gen", title="NDA")])
    assert state is not None
    assert nda_unsigned(state, at(2)) == ["rec"]
    assert nda_unsigned(state, at(0.5)) == ["gen", "rec"]
    state, _, _ = fold([ag.proposed(T0, nda), *ag.signed_by_all(at(1))])
    assert state is not None
    assert nda_unsigned(state, at(2)) == []
    state, _, _ = fold([ag.proposed(T0), ag.signed(at(1), "gen")])
    assert state is not None
    assert nda_unsigned(state, at(2)) == []  # no NDA required


def test_book_holds_agreements_by_id() -> None:
    ag = Agreement()
    state, _, _ = fold([ag.proposed(T0)])
    assert state is not None
    book = AgreementBook()
    book.put(state)
    assert book.get("AG1") is state
    assert list(book.all()) == [state]
    assert (len(book), list(book)) == (1, ["AG1"])
    assert EMPTY_BOOK.get("AG1") is None


def test_json_round_trip_keeps_everything() -> None:
    ag = Agreement()
    events = [ag.proposed(T0, terms(nda_required=True)), *ag.signed_by_all(at(1))]
    events += [
        ag.share(at(2), "L1"),
        ag.amended(at(3), terms(auto_renew=True)),
        ag.terminated(at(4)),
    ]
    state, _, _ = fold(events, until=at(200))
    assert state is not None
    assert agreement_from_json(agreement_to_json(state)) == state
    view = to_view(state, at(200))
    assert (view["agreement_id"], view["state"], view["signed_by"]) == ("AG1", TERMINATED, [])
    assert view["pending_terms"]["auto_renew"] is True
    assert view["shared_leads"] == [{"lead_id": "L1", "to_partner": "rec", "status": "released"}]


def test_a_v1_deadline_due_reads_as_a_lead_deadline() -> None:
    schema = parse_schema(json.loads((AVRO_ROOT / "DeadlineDue" / "v1.avsc").read_text()))
    digest = wire_fingerprint(to_parsing_canonical_form(schema))
    body = io.BytesIO()
    due = datetime(2026, 1, 1, tzinfo=UTC)
    record = {
        "event_id": "e",
        "type": "DeadlineDue",
        "subject": "L1",
        "occurred_at": due,
        "source": "leadledger",
        "actor": None,
        "data": {"due_at": due},
    }
    schemaless_writer(body, schema, record)
    message = decode(MAGIC + digest + body.getvalue())
    assert isinstance(message, DeadlineDue)
    assert message.data.aggregate == "lead"
