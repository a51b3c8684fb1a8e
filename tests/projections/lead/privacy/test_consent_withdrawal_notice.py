"""Withdrawing sharing consent tells every partner holding the lead, one notice each."""

from __future__ import annotations

from tests.support.partners import Run, SharedLead, at, book, run, signed_agreement

THREE = (("gen", "generator"), ("rec", "receiver"), ("rec2", "receiver"), ("rec3", "receiver"))
AGREEMENTS = book(signed_agreement(parties=THREE))


def withdrawn(partner: str | None = None, purpose: str = "sharing") -> Run:
    """rec accepted, rec2 pending, rec3 rejected (it does not hold the lead)."""
    lead = SharedLead()
    events = [
        lead.captured(),
        lead.consent(at(1)),
        lead.shared(at(2)),
        lead.responded(at(3)),
        lead.shared(at(4), to="rec2"),
        lead.shared(at(5), to="rec3"),
        lead.responded(at(6), partner="rec3", accepted=False),
        lead.withdrawn(at(10), partner=partner, purpose=purpose),
        lead.shared(at(11), to="rec3"),
    ]
    return run(events, AGREEMENTS)


def notices(result: Run) -> list[tuple[str, list[str], str]]:
    return [
        (n.event_id, n.data.notify, (n.data.details or {})["share_id"])
        for n in result.of_type("NotificationRaised")
        if n.data.kind == "consent_withdrawn"
    ]


def test_each_holder_gets_its_own_notice_and_activity() -> None:
    result = withdrawn()
    found = notices(result)
    assert [notify for _, notify, _ in found] == [["rec"], ["rec2"]]
    assert len({event_id for event_id, _, _ in found}) == 2
    told = [a.subject for a in result.activities() if a.data.kind == "consent_withdrawn"]
    assert told == ["rec", "rec2"]
    assert "no sharing consent for rec3" in result.rejections[-1]  # and no new share


def test_the_notice_ids_are_the_same_on_every_replay() -> None:
    assert notices(withdrawn()) == notices(withdrawn())


def test_a_withdrawal_for_one_partner_tells_only_that_partner() -> None:
    assert [notify for _, notify, _ in notices(withdrawn(partner="rec2"))] == [["rec2"]]


def test_withdrawing_another_purpose_tells_nobody() -> None:
    assert notices(withdrawn(purpose="marketing")) == []
