"""Who may publish what: every partner event type, and what an external partner may
say with it.

Internal partners (the own organisation's systems: marketing automation, CRM, sales
tools) publish every partner event type: they make the lead lifecycle decisions.
External partners (other companies) publish the types below, each about what it names;
the state-dependent part of "about what" is checked by the fold named beside it.
"""

from __future__ import annotations

from typing import Literal

from schemas.events import LEAD_EVENT_TYPES, PARTNER_EVENT_TYPES

Kind = Literal["internal", "external"]
Lane = Literal["leads", "agreements"]

EXTERNAL_MAY_PUBLISH: dict[str, str] = {
    "LeadCaptured": "a new lead: it becomes the lead's capturer",
    "LeadActivity": "a lead it captured or holds (lead fold)",
    "ConsentGiven": "a lead it captured or holds (lead fold)",
    "ConsentWithdrawn": "a lead it captured or holds (lead fold)",
    "ErasureRequested": "a lead it captured or holds (lead fold)",
    "LeadShared": "a lead it captured or holds, from_partner itself (lead fold: standing)",
    "PartnerResponded": "a share offered to it, partner_id itself (lead fold)",
    "ErasureConfirmed": "its own erasure duty, partner_id itself (lead fold)",
    "CommissionPaid": "a commission it owes as the share's receiver (lead fold)",
    "LeadConverted": "a lead shared to it that it accepted: its own pipeline (lead fold)",
    "OpportunityClosed": "a lead shared to it that it converted: its own deal (lead fold)",
    "AgreementProposed": "an agreement it is among the parties of",
    "AgreementSigned": "an agreement it is party to, partner_id itself (agreement fold)",
    "AgreementAmended": "an agreement it is party to (agreement fold)",
    "AgreementRenewed": "an agreement it is party to (agreement fold)",
    "AgreementTerminated": "an agreement it is party to, partner_id itself (agreement fold)",
    "DisputeOpened": "an agreement it is party to (dispute fold)",
    "DisputeEscalated": "a dispute it is party to (dispute fold)",
}
"""External partners' types and what each may be about. Everything else a partner type
is (the lifecycle decisions: scoring, assignment, status, and resolving a dispute) is
for internal partners only. A receiver's conversion and deal are its own pipeline's
(``projections/lead/sharing/pipeline.py``), never the own organisation's funnel."""

INTERNAL_ONLY: frozenset[str] = PARTNER_EVENT_TYPES - frozenset(EXTERNAL_MAY_PUBLISH)

AGREEMENT_LANE: frozenset[str] = frozenset(
    {
        "AgreementProposed",
        "AgreementSigned",
        "AgreementAmended",
        "AgreementRenewed",
        "AgreementTerminated",
        "DisputeOpened",
        "DisputeEscalated",
        "DisputeResolved",
    }
)
LEAD_LANE: frozenset[str] = PARTNER_EVENT_TYPES - AGREEMENT_LANE
"""The lead fold's partner types: lifecycle, sharing, commission, consent, erasure."""
assert LEAD_EVENT_TYPES <= LEAD_LANE


def lane_of(event_type: str) -> Lane:
    """The internal topic an admitted event goes to (the one the worker folds today)."""
    return "agreements" if event_type in AGREEMENT_LANE else "leads"


def type_problem(event_type: str, publisher: str, kind: Kind) -> str | None:
    if event_type not in PARTNER_EVENT_TYPES:
        return f"{event_type} is the system's own event type; no partner publishes it"
    if kind == "external" and event_type in INTERNAL_ONLY:
        return (
            f"{event_type} is a decision of the own organisation's systems; "
            f"{publisher} is an external partner and may not publish it"
        )
    return None
