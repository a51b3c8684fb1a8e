"""Who holds a lead's personal data now: the question erasure, consent withdrawal and
the compliance view all ask (one answer for all three)."""

from __future__ import annotations

from projections.lead.partners import OUTSTANDING, Share
from projections.lead.state import LeadState


def holding_shares(state: LeadState) -> list[Share]:
    """Shares whose receiver holds the lead's personal data now: one with an open
    deletion obligation (it has not confirmed yet), or an outstanding one (pending,
    accepted, retained) whose deletion was never confirmed. A returned or rejected
    share is not held."""
    open_: set[str] = set()
    settled: set[str] = set()
    for o in state.obligations:
        # A row stored before obligations named their share: its agreement and partner.
        key = o.share_id or f"{o.agreement_id}/{o.partner_id}"
        (open_ if o.settled_at is None else settled).add(key)

    def keys(share: Share) -> set[str]:
        return {share.share_id, f"{share.agreement_id}/{share.to_partner}"}

    return [
        s
        for s in state.shares
        if keys(s) & open_ or (s.status in OUTSTANDING and not keys(s) & settled)
    ]


def holders(state: LeadState) -> list[str]:
    """The partners holding the lead's personal data, sorted."""
    return sorted({s.to_partner for s in holding_shares(state)})
