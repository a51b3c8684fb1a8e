"""Retention: an accepted share obliges its receiver to delete the lead's personal data
``retention_days`` after acceptance (RETENTION_EXPIRED), settled by ErasureConfirmed."""

from __future__ import annotations

from datetime import timedelta

from projections.lead.partners import Obligation
from projections.lead.privacy.holders import holders
from tests.support.partners import Run, SharedLead, at, book, run, signed_agreement, terms

RETAIN_20 = book(signed_agreement(the_terms=terms(privacy={"retention_days": 20})))


def accepted(lead: SharedLead) -> list:  # type: ignore[type-arg]
    return [lead.captured(), lead.consent(at(1)), lead.shared(at(2)), lead.responded(at(3))]


def retention(result: Run) -> Obligation:
    (obligation,) = [o for o in result.lead.obligations if o.kind == "retention"]
    return obligation


def test_acceptance_starts_the_receivers_retention_clock() -> None:
    lead = SharedLead()
    result = run(accepted(lead), RETAIN_20)
    obligation = retention(result)
    due = at(3) + timedelta(days=20)
    assert (obligation.partner_id, obligation.created_at, obligation.due_at) == ("rec", at(3), due)
    assert obligation.confirm_id == obligation.obligation_id  # the id ErasureConfirmed names
    (clock,) = result.lead.clocks
    assert (clock.rule, clock.due_at) == ("RETENTION_EXPIRED", due)
    (told,) = [a for a in result.activities() if a.data.kind == "retention_due"]
    assert told.subject == "rec"
    assert (told.data.details or {})["obligation_id"] == obligation.obligation_id


def test_kept_past_retention_escalates_to_both_partners_and_the_dpo() -> None:
    lead = SharedLead()
    result = run(accepted(lead), RETAIN_20, until=at(3) + timedelta(days=21))
    assert result.escalations() == [
        ("RETENTION_EXPIRED", at(3) + timedelta(days=20), ["gen", "rec", "data-protection-owner"])
    ]
    assert holders(result.lead) == ["rec"]  # still holds it: nobody confirmed


def test_the_receivers_confirmation_settles_it_and_it_no_longer_holds_the_lead() -> None:
    # The same log from a fresh builder has the same ids: learn the obligation id first.
    obligation_id = retention(run(accepted(SharedLead()), RETAIN_20)).obligation_id
    lead2 = SharedLead()
    events = [*accepted(lead2), lead2.erased(at(5, days=19), obligation_id)]
    result = run(events, RETAIN_20, until=at(3) + timedelta(days=40))
    assert retention(result).settled_at == at(5, days=19)
    assert result.escalations() == []
    assert holders(result.lead) == []


def test_a_rejected_share_has_nothing_to_retain() -> None:
    lead = SharedLead()
    events = [lead.captured(), lead.consent(at(1)), lead.shared(at(2))]
    result = run([*events, lead.responded(at(3), accepted=False)], RETAIN_20)
    assert result.lead.obligations == ()
    assert holders(result.lead) == []


def test_a_lead_handed_back_at_termination_ends_the_duty() -> None:
    lead = SharedLead()
    events = [*accepted(lead), lead.released(at(10))]
    result = run(events, RETAIN_20, until=at(3) + timedelta(days=40))
    assert retention(result).settled_at == at(10)
    assert result.escalations() == []


def test_confirming_an_erasure_request_also_settles_retention() -> None:
    lead = SharedLead()
    events = [*accepted(lead), lead.erasure_requested(at(10)), lead.erased(at(11), "R1")]
    result = run(events, RETAIN_20, until=at(3) + timedelta(days=40))
    assert {o.kind: o.settled_at for o in result.lead.obligations} == {
        "retention": at(11),
        "erasure_request": at(11),
    }
    assert result.escalations() == []
