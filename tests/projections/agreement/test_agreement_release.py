"""Outstanding leads at the end of an agreement (element 5): one release per lead, with
the handling of the terms the lead was shared under."""

from __future__ import annotations

from projections.agreement.state import outstanding_leads
from projections.ids import derived_id
from tests.support.agreements import T0, Agreement, at, fold, of_type, terms

DELETE = terms(termination={"notice_days": 10, "outstanding_leads": "delete"})


def test_shares_are_booked_by_lead_and_receiver() -> None:
    ag = Agreement()
    events = [ag.proposed(T0), *ag.signed_by_all(at(1))]
    events += [ag.share(at(2), "L1"), ag.share(at(3), "L1", "accepted"), ag.share(at(3), "L2")]
    events += [
        ag.share(at(4), "L2", "rejected"),
        ag.share(at(5), "L3"),
        ag.share(at(6), "L3", "closed"),
    ]
    state, _, rejections = fold(events)
    assert rejections == []
    assert state is not None
    # Rejected and closed shares have nothing left to release: only L1 is kept.
    assert state.shared_leads == (("L1", "rec", "accepted"),)
    assert state.share_versions == (("L1", "rec", 1),)
    assert outstanding_leads(state) == [("L1", "rec")]


def test_a_lead_shared_again_after_closing_gets_its_new_terms() -> None:
    ag = Agreement()
    retain = terms(termination={"notice_days": 1, "outstanding_leads": "retain_until_closed"})
    events = [ag.proposed(T0), *ag.signed_by_all(at(1)), ag.share(at(2), "L1")]
    events += [ag.share(at(3), "L1", "closed"), ag.amended(at(4), retain)]
    events += [*ag.signed_by_all(at(5)), ag.share(at(6), "L1"), ag.terminated(at(7))]
    _, emitted, _ = fold(events, until=at(10))
    [released] = of_type(emitted, "SharedLeadReleased")
    assert released.data.handling == "retain_until_closed"


def test_termination_releases_each_outstanding_lead_once() -> None:
    ag = Agreement()
    events = [ag.proposed(T0, DELETE), *ag.signed_by_all(at(1))]
    events += [ag.share(at(2), "L1"), ag.share(at(3), "L2", "accepted"), ag.share(at(3), "L3")]
    events += [ag.share(at(4), "L3", "rejected"), ag.terminated(at(20))]
    state, emitted, _ = fold(events, until=at(60))
    released = of_type(emitted, "SharedLeadReleased")
    assert [r.subject for r in released] == ["L1", "L2"]
    first = released[0]
    assert first.event_id == derived_id("AG1", "L1", "rec", "released")
    assert first.data.agreement_id == "AG1"
    assert first.data.to_partner == "rec"
    assert first.data.handling == "delete"
    assert first.data.effective_at == at(30)
    assert first.data.erasure_within_days == 30
    assert state is not None
    assert outstanding_leads(state) == []


def test_expiry_releases_outstanding_leads_too() -> None:
    ag = Agreement()
    events = [ag.proposed(T0), *ag.signed_by_all(at(1)), ag.share(at(2), "L1")]
    _, emitted, _ = fold(events, until=at(366))
    [released] = of_type(emitted, "SharedLeadReleased")
    assert (released.subject, released.data.handling, released.data.effective_at) == (
        "L1",
        "return",
        at(365),
    )


def test_leads_shared_under_old_terms_keep_their_handling() -> None:
    ag = Agreement()
    retain = terms(termination={"notice_days": 10, "outstanding_leads": "retain_until_closed"})
    events = [ag.proposed(T0, DELETE), *ag.signed_by_all(at(1)), ag.share(at(2), "OLD")]
    events += [ag.amended(at(5), retain), *ag.signed_by_all(at(6))]
    events += [ag.share(at(7), "NEW"), ag.share(at(8), "OLD", "accepted"), ag.terminated(at(9))]
    _, emitted, _ = fold(events, until=at(30))
    handling = {r.subject: r.data.handling for r in of_type(emitted, "SharedLeadReleased")}
    assert handling == {"OLD": "delete", "NEW": "retain_until_closed"}


def test_a_share_recorded_after_the_end_is_released_at_once() -> None:
    ag = Agreement()
    events = [ag.proposed(T0), *ag.signed_by_all(at(1)), ag.terminated(at(2))]
    events += [ag.share(at(40), "LATE")]
    _, emitted, _ = fold(events)
    [released] = of_type(emitted, "SharedLeadReleased")
    assert (released.subject, released.data.effective_at) == ("LATE", at(32))


def test_a_late_status_cannot_bring_a_released_lead_back() -> None:
    ag = Agreement()
    events = [ag.proposed(T0), *ag.signed_by_all(at(1)), ag.share(at(2), "L1")]
    events += [ag.terminated(at(3)), ag.share(at(40), "L1", "accepted")]
    state, emitted, _ = fold(events)
    assert len(of_type(emitted, "SharedLeadReleased")) == 1
    assert state is not None
    assert state.shared_leads == (("L1", "rec", "released"),)
