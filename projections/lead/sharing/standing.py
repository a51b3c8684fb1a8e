"""Who may share a lead at all: checked before any admission rule (design rule 1).

A lead belongs to the partner that captured it (the ``source`` of its ``LeadCaptured``)
and to a partner holding it through an accepted share; nobody else may pass it on, and
a partner speaks only for itself (``source`` equals ``from_partner``). A share that
fails here is refused with one reason that says nothing about the lead: its budget,
industry, shares or refusals are its holders' business, not a stranger's. Such a
refusal does not bar the receiver (the lead was never offered to it).
"""

from __future__ import annotations

from projections.lead.state import LeadState
from schemas.agreement_events import LeadSharedData

HOLDING = frozenset({"accepted"})
"""Share statuses under which the receiver may pass the lead on (a retained share is
kept only until its opportunity closes, a pending one is not yet taken)."""


def standing_problem(lead: LeadState, source: str, share: LeadSharedData) -> str | None:
    """Why this sender may not share this lead at all; None when it may."""
    if source != share.from_partner:
        return f"source {source} may not share on behalf of {share.from_partner}"
    if not may_share(lead, share.from_partner):
        return f"partner {share.from_partner} does not hold lead {lead.lead_id}"
    return None


def may_share(lead: LeadState, partner: str) -> bool:
    """The capturing partner, or one that accepted a share of the lead."""
    if lead.captured_by is not None and partner == lead.captured_by:
        return True
    return any(s.to_partner == partner and s.status in HOLDING for s in lead.shares)
