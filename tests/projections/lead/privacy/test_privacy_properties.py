"""Properties of the privacy rules over generated logs (hypothesis): the two answers to
"who holds this lead's personal data" (the lead's state, and each partner's fold of its
own activities) agree; an erased lead is never shared again; the erasure survives the
table codec and redelivery."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.compliance.partner import PartnerPrivacy, fold_privacy, partner_privacy
from projections.lead.fold import LeadState, advance, evolve, state_from_json, state_to_json
from projections.lead.privacy.holders import holders
from schemas.envelope import Envelope
from schemas.partner_system_events import PartnerActivity
from tests.projections.lead.sharing.test_sharing_properties import AGREEMENTS, POLICY, Make, step
from tests.support.partners import SharedLead, at

privacy_step: st.SearchStrategy[Make] = st.one_of(
    step,
    st.sampled_from(["rec", "duo", None]).map(lambda p: lambda lead, when: lead.withdrawn(when, p)),
    st.sampled_from(["GDPR", "CCPA", "HIPAA"]).map(
        lambda regime: lambda lead, when: lead.erasure_requested(when, "R1", regime)
    ),
    st.sampled_from(["rec", "duo"]).map(lambda p: lambda lead, when: lead.erased(when, "R1", p)),
)


@st.composite
def logs(draw: st.DrawFn) -> list[Envelope]:
    lead = SharedLead("S1")
    makers = draw(st.lists(privacy_step, max_size=14))
    gaps = draw(st.lists(st.floats(0, 400), min_size=len(makers), max_size=len(makers)))
    # Consent for any partner and a share to rec first, so most logs have a holder.
    events: list[Envelope] = [lead.captured(at(0)), lead.consent(at(0.5)), lead.shared(at(1))]
    when = at(1)
    for make, gap in zip(makers, gaps, strict=True):
        when += timedelta(hours=gap)
        events.append(make(lead, when))
    return events


def fold(events: list[Envelope]) -> tuple[LeadState, list[Envelope]]:
    state: LeadState | None = None
    emitted: list[Envelope] = []
    for event in events:
        outcome = evolve(state, event, POLICY, AGREEMENTS)
        state = outcome.state
        emitted.extend(outcome.emitted)
    assert state is not None
    later = advance(state, events[-1].occurred_at + timedelta(days=500), POLICY)
    assert later.state is not None
    return later.state, [*emitted, *later.emitted]


@settings(max_examples=80, deadline=None)
@given(logs())
def test_the_partner_side_fold_agrees_with_the_lead_side(events: list[Envelope]) -> None:
    state, emitted = fold(events)
    views: dict[str, PartnerPrivacy] = {}
    for event in emitted:
        if isinstance(event, PartnerActivity):
            views[event.subject] = fold_privacy(views.get(event.subject), event)
    by_partner = sorted(p for p, v in views.items() if partner_privacy(v)["holds_leads"])
    assert by_partner == holders(state)


@settings(max_examples=80, deadline=None)
@given(logs())
def test_an_erased_lead_is_never_shared_after_the_request(events: list[Envelope]) -> None:
    state, _ = fold(events)
    if state.erasure is None:
        return
    admitted = [
        c.at
        for c in state.history
        if c.kind == "share" and c.before is None and c.after == "pending"
    ]
    assert all(when <= state.erasure.requested_at for when in admitted)
    # Every holder at the request owes (or has given) a confirmation of it.
    owed = {o.partner_id for o in state.obligations if o.kind == "erasure_request"}
    assert set(holders(state)) <= owed | {
        o.partner_id for o in state.obligations if o.settled_at is None
    }


@settings(max_examples=60, deadline=None)
@given(logs())
def test_redelivery_and_the_table_codec_change_nothing(events: list[Envelope]) -> None:
    state, _ = fold(events)
    doubled, _ = fold([e for event in events for e in (event, event)])
    assert doubled == state
    assert state_from_json(state_to_json(state)) == state
