"""The compliance view of a lead and of an agreement (issue 5, item 4): pure JSON bodies.

``lead_privacy`` answers, for a data-protection officer: which consents the person gave
or withdrew, which partners hold its personal data now (under which agreement and
which of that agreement's regimes), the erasure request and who still owes a
confirmation, and when each holder's retention runs out. ``replay --privacy`` prints it
and ``GET /privacy/leads/{id}`` serves it, from the same lead state.
``agreement_privacy`` answers signatures, NDA and review dates. The per-partner side is
``compliance_partner``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.agreement.state import (
    EMPTY_BOOK,
    AgreementLookup,
    AgreementState,
    nda_unsigned,
    state_at,
    terms_at,
)
from projections.history import iso_z
from projections.lead.partners import Obligation, Share
from projections.lead.privacy.holders import holders, holding_shares
from projections.lead.state import LeadState


def _z(value: datetime | None) -> str | None:
    return iso_z(value) if value is not None else None


def lead_privacy(state: LeadState, agreements: AgreementLookup = EMPTY_BOOK) -> dict[str, Any]:
    """The per-lead compliance body (``replay --privacy ID``, ``GET /privacy/leads/{id}``)."""
    return {
        "lead_id": state.lead_id,
        "consents": [
            {
                "purpose": c.purpose,
                "partner_id": c.partner_id,
                "regime": c.regime,
                "given": c.given,
                "at": iso_z(c.given_at),
            }
            for c in state.consents
        ],
        "holders": holders(state),
        "holdings": [_holding(state, s, agreements) for s in holding_shares(state)],
        "erasure": _erasure(state),
        "erased": state.erasure is not None,
        "obligations": [_obligation(o) for o in state.obligations],
    }


def _holding(state: LeadState, share: Share, agreements: AgreementLookup) -> dict[str, Any]:
    agreement = agreements.get(share.agreement_id)
    regimes = list(terms_at(agreement, share.shared_at)[1].privacy.regimes) if agreement else []
    retention = [
        o
        for o in state.obligations
        if o.kind == "retention" and o.share_id == share.share_id and o.settled_at is None
    ]
    return {
        "partner_id": share.to_partner,
        "agreement_id": share.agreement_id,
        "share_id": share.share_id,
        "share_status": share.status,
        "since": iso_z(share.shared_at),
        "regimes": regimes,
        "retention_due": iso_z(retention[0].due_at) if retention else None,
    }


def _erasure(state: LeadState) -> dict[str, Any] | None:
    request = state.erasure
    if request is None:
        return None
    owed = [o for o in state.obligations if o.kind == "erasure_request"]
    return {
        "request_id": request.request_id,
        "regime": request.regime,
        "requested_at": iso_z(request.requested_at),
        "due_at": _z(request.due_at),
        "confirmed_by": sorted(o.partner_id for o in owed if o.settled_at is not None),
        "outstanding": sorted(o.partner_id for o in owed if o.settled_at is None),
    }


def _obligation(obligation: Obligation) -> dict[str, Any]:
    return {
        "obligation_id": obligation.obligation_id,
        "kind": obligation.kind,
        "partner_id": obligation.partner_id,
        "agreement_id": obligation.agreement_id,
        "confirm_with": obligation.confirm_id,  # ErasureConfirmed.request_id
        "due_at": iso_z(obligation.due_at),
        "settled_at": _z(obligation.settled_at),
    }


def agreement_privacy(agreement: AgreementState, at: datetime) -> dict[str, Any]:
    """Signatures, the NDA and review dates of one agreement, and its privacy terms."""
    _, terms = terms_at(agreement, at)
    reviews = [c.due_at for c in agreement.clocks if c.rule == "AGREEMENT_REVIEW_DUE"]
    return {
        "agreement_id": agreement.agreement_id,
        "state": state_at(agreement, at),
        "parties": sorted(p.partner_id for p in agreement.parties),
        "signatures": [
            {
                "partner_id": s.partner_id,
                "signer": s.signer,
                "at": iso_z(s.at),
                "terms_version": s.terms_version,
            }
            for s in agreement.signatures
        ],
        "nda": {"required": terms.nda_required, "unsigned_by": nda_unsigned(agreement, at)},
        "review_due": _z(min(reviews, default=None)),
        "reviews_overdue": [
            iso_z(e.due_at) for e in agreement.escalations if e.rule == "AGREEMENT_REVIEW_DUE"
        ],
        "privacy": {
            "regimes": list(terms.privacy.regimes),
            "require_consent": terms.privacy.require_consent,
            "retention_days": terms.privacy.retention_days,
            "erasure_within_days": terms.privacy.erasure_within_days,
        },
    }
