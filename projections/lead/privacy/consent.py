"""Consent recorded on the lead: what share admission reads for the privacy terms.

The lead keeps the latest decision per purpose and partner (given or withdrawn). A
decision for "any partner" (``partner_id`` null) is broader than every earlier one of
its purpose and replaces them; a decision for one partner overrides, for that partner,
an earlier one for any partner: "yes to partners, but not to X" shares with everyone
except X. Withdrawing sharing consent stops new shares (``has_sharing_consent``) and
tells every partner holding the lead, one notification (and one partner activity) per
holder with ids derived from the withdrawal, so a replay emits the same ones.
"""

from __future__ import annotations

from dataclasses import replace

from projections.ids import derived_id
from projections.lead.partners import Consent
from projections.lead.privacy.holders import holding_shares
from projections.lead.sharing.emit import activity
from projections.lead.state import LeadState
from projections.lead.step import Step
from schemas.privacy_events import ConsentData, ConsentGiven, ConsentWithdrawn
from schemas.system_events import NotificationRaised, NotificationRaisedData


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
    if not given and data.purpose == "sharing":
        _tell_holders(step, data)


def _tell_holders(step: Step, data: ConsentData) -> None:
    """The partners the withdrawal concerns that hold the lead: they may keep working
    it under their agreement, but must know no more of it may be shared with them."""
    for share in holding_shares(step.state):
        if data.partner_id not in {None, share.to_partner}:
            continue
        details = {
            "lead_id": step.state.lead_id,
            "purpose": data.purpose,
            "regime": data.regime,
            "agreement_id": share.agreement_id,
            "share_id": share.share_id,
        }
        # Not the activity's id (lead, cause, kind, partner): two events, two ids.
        notice_id = derived_id(step.state.lead_id, step.cause, "notice", share.to_partner)
        step.emit(
            NotificationRaised,
            NotificationRaisedData(
                notification_id=notice_id,
                kind="consent_withdrawn",
                notify=[share.to_partner],
                details=details,
            ),
            notice_id,
        )
        activity(
            step,
            share.to_partner,
            "consent_withdrawn",
            agreement_id=share.agreement_id,
            counterparty=share.from_partner,
            details={**details, "role": "receiver"},
        )


def has_sharing_consent(state: LeadState, partner_id: str) -> bool:
    """The newest sharing decision for this partner, or for any partner, is a consent."""
    for decision in reversed(state.consents):
        if decision.purpose == "sharing" and decision.partner_id in {None, partner_id}:
            return decision.given
    return False


def _label(purpose: str, partner_id: str | None) -> str:
    return f"{purpose}:{partner_id or 'any'}"
