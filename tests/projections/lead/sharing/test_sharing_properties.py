"""Properties of the sharing rules over generated logs (hypothesis): duplicates change
nothing, a log split in two with the state stored as JSON between equals the whole,
and a partner never holds a lead it was refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.lead.fold import LeadState, evolve, state_from_json, state_to_json
from projections.policy import Policy
from schemas.envelope import Envelope
from tests.support.partners import SharedLead, at, book, signed_agreement, terms

PARTIES = (("gen", "generator"), ("rec", "receiver"), ("duo", "both"))
AGREEMENTS = book(
    signed_agreement(
        parties=PARTIES,
        the_terms=terms(revenue_share={"model": "percent", "rate": 5, "currency": "EUR"}),
    )
)
POLICY = Policy()
Make = Callable[[SharedLead, datetime], Envelope]

step: st.SearchStrategy[Make] = st.one_of(
    st.sampled_from(["rec", "duo", None]).map(lambda p: lambda lead, when: lead.consent(when, p)),
    st.sampled_from(["rec", "duo", "gen"]).map(
        lambda to: lambda lead, when: lead.shared(when, to=to, frm="duo" if to == "gen" else "gen")
    ),
    st.tuples(st.sampled_from(["rec", "duo"]), st.booleans()).map(
        lambda a: lambda lead, when: lead.responded(when, a[0], a[1])
    ),
    st.sampled_from([10.0, 99.5]).map(lambda amount: lambda lead, when: lead.paid(when, amount)),
    st.sampled_from(["rec", "duo"]).map(lambda to: lambda lead, when: lead.released(when, to)),
)


@st.composite
def logs(draw: st.DrawFn) -> list[Envelope]:
    lead = SharedLead("S1")
    makers = draw(st.lists(step, max_size=12))
    gaps = draw(st.lists(st.floats(0, 80), min_size=len(makers), max_size=len(makers)))
    events: list[Envelope] = [lead.captured(at(0))]
    when = at(0)
    for make, gap in zip(makers, gaps, strict=True):
        when += timedelta(hours=gap)
        events.append(make(lead, when))
    return events


def fold(events: list[Envelope], state: LeadState | None = None) -> LeadState | None:
    for event in events:
        state = evolve(state, event, POLICY, AGREEMENTS).state
    return state


@settings(max_examples=60, deadline=None)
@given(logs())
def test_duplicates_change_nothing(events: list[Envelope]) -> None:
    doubled = [e for event in events for e in (event, event)]
    assert fold(doubled) == fold(events)


@settings(max_examples=60, deadline=None)
@given(logs(), st.integers(0, 12))
def test_split_with_the_state_stored_between_equals_the_whole(
    events: list[Envelope], cut: int
) -> None:
    first = fold(events[:cut] or events[:1])
    assert first is not None
    stored = state_from_json(state_to_json(first))
    assert fold(events[max(cut, 1) :], stored) == fold(events)


@settings(max_examples=60, deadline=None)
@given(logs())
def test_a_refused_partner_never_holds_the_lead(events: list[Envelope]) -> None:
    state = fold(events)
    assert state is not None
    # In the lead's history, no share to a partner is admitted after one was refused to it.
    shares = [c for c in state.history if c.kind == "share" and c.before is None]
    for partner in state.refused_partners:
        outcomes = [
            c.after
            for c in shares
            if c.rule.startswith((f"shared with {partner} ", f"share to {partner} refused"))
        ]
        first_refusal = outcomes.index("refused")
        assert "pending" not in outcomes[first_refusal:]
