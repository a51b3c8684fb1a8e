"""What an external partner may say about a lead, decided by the fold from the record
log alone (admission's ``source_kind``): only leads it captured or holds; only the
commission it owes. Events without ``source_kind`` (operators) are not limited."""

from __future__ import annotations

from typing import Any

from schemas.envelope import Envelope
from tests.projections.lead.test_commission import accepted
from tests.support.partners import SharedLead, at, run


def external(event: Any, partner: str) -> Envelope:
    stamped: Envelope = event.model_copy(update={"source": partner, "source_kind": "external"})
    return stamped


def test_an_external_partner_speaks_only_about_leads_it_captured_or_holds() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)  # captured by gen, shared with rec, accepted
    for partner, allowed in (("gen", True), ("rec", True), ("globex", False)):
        consent = external(lead.consent(at(9)), partner)
        result = run([*events, consent], agreements)
        refused = [r for r in result.rejections if "neither captured nor holds" in r]
        assert bool(refused) is not allowed, (partner, result.rejections)
        if refused:
            assert "globex" in refused[0]
            assert "L1" in refused[0]


def test_the_same_event_from_an_operator_is_not_limited() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    unstamped = lead.consent(at(9)).model_copy(update={"source": "globex"})
    assert run([*events, unstamped], agreements).rejections == []


def test_only_the_payer_pays_a_commission() -> None:
    lead = SharedLead()
    events, agreements = accepted(lead)
    won = [*events, lead.won(at(10), amount=20000)]
    by_payee = run([*won, external(lead.paid(at(11), 2000), "gen")], agreements)
    assert any("owed by rec" in r and "gen" in r for r in by_payee.rejections)
    assert by_payee.lead.commissions[0].paid == 0
    by_payer = run([*won, external(lead.paid(at(11), 2000), "rec")], agreements)
    assert by_payer.rejections == []
    assert by_payer.lead.commissions[0].paid == 2000
