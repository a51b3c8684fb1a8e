"""Consent recorded on the lead: what share admission reads for the privacy terms.

The lead keeps the latest decision per purpose and partner (given or withdrawn). A
decision for "any partner" (``partner_id`` null) is broader than every earlier one of
its purpose and replaces them; a decision for one partner overrides, for that partner,
an earlier one for any partner: "yes to partners, but not to X" shares with everyone
except X. Erasure requests are issue 5 and stay refused by the fold.
"""

from __future__ import annotations

from dataclasses import replace

from projections.lead_partners import Consent
from projections.lead_state import LeadState
from projections.lead_step import Step
from schemas.privacy_events import ConsentData, ConsentGiven, ConsentWithdrawn


def on_consent_given(step: Step, event: ConsentGiven) -> None:
    _decide(step, event.data, given=True)


def on_consent_withdrawn(step: Step, event: ConsentWithdrawn) -> None:
    _decide(step, event.data, given=False)


def _decide(step: Step, data: ConsentData, given: bool) -> None:
    def replaced(c: Consent) -> bool:
        return c.purpose == data.purpose and data.partner_id in {None, c.partner_id}

    kept = tuple(c for c in step.state.consents if not replaced(c))
    decision = Consent(data.purpose, data.partner_id, data.regime, step.at, given)
    step.state = replace(step.state, consents=(*kept, decision))
    label = _label(data.purpose, data.partner_id)
    step.log(
        "consent",
        None if given else label,
        label if given else None,
        "consent given" if given else "consent withdrawn",
    )


def has_sharing_consent(state: LeadState, partner_id: str) -> bool:
    """The newest sharing decision for this partner, or for any partner, is a consent."""
    for decision in reversed(state.consents):
        if decision.purpose == "sharing" and decision.partner_id in {None, partner_id}:
            return decision.given
    return False


def _label(purpose: str, partner_id: str | None) -> str:
    return f"{purpose}:{partner_id or 'any'}"
