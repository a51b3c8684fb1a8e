"""Retention (issue 5, seed element 3): a partner keeps a shared lead's personal data
at most the agreement's ``privacy.retention_days`` from its acceptance.

Accepting a share opens a deletion obligation for the receiver (``obligations``, the
machinery of the termination's ``delete``) with a ``RETENTION_EXPIRED`` clock due
``retention_days`` later; ``ErasureConfirmed`` naming the obligation id settles it. The
share snapshots ``retention_days`` with its other terms: an amendment does not change
it. Handing the lead back at termination (``return``) ends the duty; ``delete`` replaces
it by the termination's own erasure obligation. A share accepted after the lead was
erased opens none: the erasure request's obligation already covers it.
"""

from __future__ import annotations

from datetime import timedelta

from projections.history import iso_z
from projections.ids import derived_id
from projections.lead.privacy.obligations import open_obligation
from projections.lead.sharing.emit import activity
from projections.lead.sharing.fold import RETENTION_CLOCK
from projections.lead.step import Step
from schemas.agreement_events import PartnerResponded


def on_share_accepted(step: Step, event: PartnerResponded) -> None:
    """Runs after ``sharing.on_partner_responded`` (which refuses a response it cannot
    apply, so here the receiver's share has just been answered)."""
    if not event.data.accepted or step.state.erasure is not None:
        return  # an erased lead's holders owe its erasure already, not a retention
    share = next(
        s
        for s in reversed(step.state.shares)
        if s.to_partner == event.data.partner_id and s.status == "accepted"
    )
    if share.retention_days is None:  # admitted before retention was recorded
        return
    due_at = step.at + timedelta(days=share.retention_days)
    obligation = open_obligation(
        step,
        share,
        "retention",
        derived_id(step.state.lead_id, share.share_id, "retention"),
        due_at,
        clock=RETENTION_CLOCK,
    )
    activity(
        step,
        share.to_partner,
        "retention_due",
        agreement_id=share.agreement_id,
        counterparty=share.from_partner,
        details={
            "role": "receiver",
            "share_id": share.share_id,
            "obligation_id": obligation.obligation_id,
            "delete_by": iso_z(due_at),
        },
    )
