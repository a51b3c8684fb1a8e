"""The per-subject hash chain: intact histories verify; any edit, gap or swap breaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from projections.chain import first_break, stamp
from schemas.envelope import Envelope
from schemas.lead_events import LeadActivity, LeadActivityData, Person
from streams.personal_data.sealing import new_key, seal_event
from tests.support.leads import Lead

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def activity(n: int, subject: str = "L1") -> LeadActivity:
    return LeadActivity(
        event_id=f"{subject}-e{n}",
        subject=subject,
        occurred_at=T0 + timedelta(minutes=n),
        source="crm",
        data=LeadActivityData(activity="web_visit", points=n),
    )


def recorded(events: list[LeadActivity]) -> list[Envelope]:
    heads: dict[str, str | None] = {}
    out: list[Envelope] = []
    for i, event in enumerate(events):
        stamped = stamp(event, heads.get(event.subject), T0 + timedelta(hours=1, seconds=i))
        assert stamped.record is not None
        heads[event.subject] = stamped.record.hash
        out.append(stamped)
    return out


def test_an_intact_history_has_no_break() -> None:
    log = recorded([activity(1), activity(2, "L2"), activity(3), activity(4, "L2")])
    assert first_break(log) == (4, None)


def test_an_edited_field_breaks_at_that_event() -> None:
    log = recorded([activity(1), activity(2), activity(3)])
    forged = log[1].model_copy(update={"data": LeadActivityData(activity="web_visit", points=99)})
    checked, found = first_break([log[0], forged, log[2]])
    assert found is not None
    assert found.position == 1
    assert "changed" in found.reason
    assert checked == 2


def test_an_edited_recorded_at_breaks_too() -> None:
    log = recorded([activity(1)])
    assert log[0].record is not None
    moved = log[0].record.model_copy(update={"recorded_at": T0})
    _, found = first_break([log[0].model_copy(update={"record": moved})])
    assert found is not None
    assert found.position == 0


def test_a_removed_event_is_a_missing_link() -> None:
    log = recorded([activity(1), activity(2), activity(3)])
    _, found = first_break([log[0], log[2]])
    assert found is not None
    assert (found.position, found.event_id) == (1, "L1-e3")
    assert "missing" in found.reason


def test_a_history_cut_at_its_start_is_reported() -> None:
    log = recorded([activity(1), activity(2)])
    _, found = first_break(log[1:])
    assert found is not None
    assert "earlier events are missing" in found.reason


def test_swapped_events_break() -> None:
    log = recorded([activity(1), activity(2), activity(3)])
    _, found = first_break([log[0], log[2], log[1]])
    assert found is not None
    assert found.position == 1


def test_an_unrecorded_event_breaks() -> None:
    _, found = first_break([activity(1)])
    assert found is not None
    assert "no hash" in found.reason


def test_a_redelivered_event_linked_like_its_first_copy_is_not_a_break() -> None:
    first, second = activity(1), activity(2)
    copy_a = stamp(first, None, T0)
    copy_b = stamp(first, None, T0 + timedelta(seconds=5))  # appended again after a crash
    assert copy_b.record is not None
    then = stamp(second, copy_b.record.hash, T0 + timedelta(seconds=6))
    assert first_break([copy_a, copy_b, then]) == (3, None)


def test_the_chain_ignores_other_subjects_between_links() -> None:
    log = recorded([activity(1, "A"), activity(1, "B"), activity(2, "A")])
    assert first_break(log)[1] is None
    _, found = first_break([log[0], log[2]])
    assert found is None  # B's event is B's business; A's chain is whole


def test_an_event_published_again_later_is_a_redelivery() -> None:
    log = recorded([activity(1), activity(2)])
    assert log[1].record is not None
    again = stamp(activity(1), log[1].record.hash, T0 + timedelta(days=1))
    then = stamp(activity(3), again.record.hash if again.record else None, T0 + timedelta(days=2))
    assert first_break([*log, again, then]) == (4, None)


def test_a_second_copy_that_says_something_else_breaks() -> None:
    log = recorded([activity(1), activity(2)])
    assert log[1].record is not None
    altered = activity(1).model_copy(update={"data": LeadActivityData(activity="demo", points=5)})
    _, found = first_break([*log, stamp(altered, log[1].record.hash, T0 + timedelta(days=1))])
    assert found is not None
    assert "something else" in found.reason


def test_a_person_sealed_again_under_a_new_key_is_still_a_redelivery() -> None:
    # The worker died after appending a LeadCaptured but before its new lead key landed:
    # the redelivered copy is sealed under another key, which changes only sealed bytes.
    plain = Lead("L-seal").captured()
    person = Person(email="p@example.com", first_name="P", country="GB")
    captured = plain.model_copy(update={"data": plain.data.model_copy(update={"person": person})})
    copy_a = stamp(seal_event(captured, new_key), None, T0)
    copy_b = stamp(seal_event(captured, new_key), None, T0 + timedelta(seconds=5))
    assert copy_a.record is not None
    assert copy_b.record is not None
    assert copy_a.record.hash != copy_b.record.hash
    assert first_break([copy_a, copy_b]) == (2, None)
    other = person.model_copy(update={"country": "FR"})  # the clear profile differs
    changed = captured.model_copy(
        update={"data": captured.data.model_copy(update={"person": other})}
    )
    _, found = first_break([copy_a, stamp(seal_event(changed, new_key), None, T0)])
    assert found is not None
    assert "something else" in found.reason


def test_source_kind_is_hashed_when_stamped_and_absent_otherwise() -> None:
    """Admission's ``source_kind`` is covered by the hash; an event without it hashes as
    it did before the field existed, so record logs written then still verify."""
    from datetime import UTC, datetime

    from projections.chain import canonical_bytes, digest
    from schemas.lead_events import LeadActivity, LeadActivityData

    plain = LeadActivity(
        event_id="e1",
        subject="L1",
        occurred_at=datetime(2026, 11, 2, tzinfo=UTC),
        source="acme",
        data=LeadActivityData(activity="webinar"),
    )
    assert b"source_kind" not in canonical_bytes(plain)
    stamped = plain.model_copy(update={"source_kind": "external"})
    assert b'"source_kind":"external"' in canonical_bytes(stamped)
    assert digest(stamped) != digest(plain)
