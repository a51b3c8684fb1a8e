"""Consent recorded on the lead: what share admission reads for the privacy terms.

Only the consents in force are kept; a withdrawal removes the matching one (same
purpose and partner; a withdrawal for "any partner" removes every consent of that
purpose). Erasure requests are issue 5 and stay refused by the fold.
"""

from __future__ import annotations

from dataclasses import replace

from projections.lead_partners import Consent
from projections.lead_state import LeadState
from projections.lead_step import Step
from schemas.privacy_events import ConsentGiven, ConsentWithdrawn


def on_consent_given(step: Step, event: ConsentGiven) -> None:
    data = event.data
    kept = tuple(
        c
        for c in step.state.consents
        if (c.purpose, c.partner_id) != (data.purpose, data.partner_id)
    )
    consent = Consent(data.purpose, data.partner_id, data.regime, event.occurred_at)
    step.state = replace(step.state, consents=(*kept, consent))
    step.log("consent", None, _label(consent.purpose, consent.partner_id), "consent given")


def on_consent_withdrawn(step: Step, event: ConsentWithdrawn) -> None:
    data = event.data
    kept = tuple(
        c
        for c in step.state.consents
        if c.purpose != data.purpose
        or (data.partner_id is not None and c.partner_id != data.partner_id)
    )
    step.state = replace(step.state, consents=kept)
    step.log("consent", _label(data.purpose, data.partner_id), None, "consent withdrawn")


def has_sharing_consent(state: LeadState, partner_id: str) -> bool:
    """A sharing consent for this partner, or for any partner, is in force."""
    return any(
        c.purpose == "sharing" and c.partner_id in {None, partner_id} for c in state.consents
    )


def _label(purpose: str, partner_id: str | None) -> str:
    return f"{purpose}:{partner_id or 'any'}"
