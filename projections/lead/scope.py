"""What an external partner may say about a lead: only a lead it captured or holds.

Admission stamps ``source_kind`` on what it admits; this check reads it from the event,
so it depends on the record log alone and a replay refuses what the live fold refused.
Events without it (operators writing the internal topics) and events of internal
partners are not limited here. Sharing, responding and confirming an erasure carry
their own checks (``sharing``, ``privacy.obligations``); the commission's payer is
checked here because the event does not name it, and so is the reporter of a deal on
the receiver's pipeline (``sharing.pipeline``): only the partner the lead was shared
to, once it accepted.
"""

from __future__ import annotations

from projections.lead.state import LeadState
from projections.outcome import Refused
from schemas.agreement_events import CommissionPaid
from schemas.envelope import Envelope
from schemas.lead_events import LeadActivity, LeadConverted, OpportunityClosed
from schemas.privacy_events import ConsentGiven, ConsentWithdrawn, ErasureRequested

HELD = frozenset({"accepted", "retained"})
"""Share statuses under which the receiver holds the lead (a pending offer is not yet)."""
ABOUT_OWN_LEADS = (LeadActivity, ConsentGiven, ConsentWithdrawn, ErasureRequested)
RECEIVER_PIPELINE = (LeadConverted, OpportunityClosed)
"""What an external partner reports about its own deal on a lead shared to it."""


def holds(state: LeadState, partner: str) -> bool:
    return state.captured_by == partner or any(
        s.to_partner == partner and s.status in HELD for s in state.shares
    )


def scope_problem(state: LeadState, event: Envelope) -> str | None:
    """Why an external partner's event may not be about this lead, if it may not."""
    if event.source_kind != "external":
        return None
    partner = event.source
    if isinstance(event, ABOUT_OWN_LEADS) and not holds(state, partner):
        return (
            f"{event.type} from external partner {partner} about lead {state.lead_id}, "
            f"which it neither captured nor holds"
        )
    if isinstance(event, RECEIVER_PIPELINE):
        return pipeline_problem(state, event.type, partner)
    if isinstance(event, CommissionPaid):
        payers = {c.payer for c in state.commissions if c.agreement_id == event.data.agreement_id}
        if payers and partner not in payers:
            return (
                f"CommissionPaid from {partner}, but the commission on lead {state.lead_id} "
                f"under {event.data.agreement_id} is owed by {', '.join(sorted(payers))}: "
                "a partner pays only what it owes"
            )
    return None


def pipeline_problem(state: LeadState, event_type: str, partner: str) -> str | None:
    """Why ``partner`` may not report a deal on this lead: it is not the receiver of an
    accepted share. The reason names the publisher and the receiver(s) the deal is
    reported by, as the commission's payer check does."""
    if any(s.to_partner == partner and s.status in HELD for s in state.shares):
        return None
    said = f"{event_type} from external partner {partner} about lead {state.lead_id}: "
    if any(s.to_partner == partner and s.status == "pending" for s in state.shares):
        return said + f"{partner} has not accepted the share yet; it reports its deal once it has"
    receivers = sorted({s.to_partner for s in state.shares if s.status in HELD})
    held_by = (
        f"only {', '.join(receivers)}, which accepted the share, reports the deal on it"
        if receivers
        else "the lead is shared to no partner that accepted it"
    )
    return said + f"{partner} is not a receiver holding it; {held_by}"


def require_scope(state: LeadState, event: Envelope) -> None:
    if problem := scope_problem(state, event):
        raise Refused(problem)
