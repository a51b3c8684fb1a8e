"""The end of a share: a termination releases it, an erasure obligation settles it.

When an agreement's termination takes effect, the agreement fold sends one
``SharedLeadReleased`` per outstanding lead; the lead applies the handling of the terms
the share was made under (its snapshot): ``return``, ``retain_until_closed``, or
``delete`` (an erasure obligation with an ``ERASURE_OVERDUE`` clock, settled by
``ErasureConfirmed`` naming the obligation id as ``request_id``): the first use of
``obligations``, which erasure requests and retention share.
"""

from __future__ import annotations

from datetime import timedelta

from projections.history import iso_z
from projections.ids import derived_id
from projections.lead.privacy.obligations import end_retention, open_obligation
from projections.lead.sharing.emit import both, record_share, update_share
from projections.lead.sharing.fold import RESPONSE_CLOCK
from projections.lead.step import Step
from projections.outcome import Refused
from schemas.partner_system_events import SharedLeadReleased


def on_shared_lead_released(step: Step, event: SharedLeadReleased) -> None:
    """The agreement ended: the share ends the way ITS terms say (the snapshot)."""
    data = event.data
    share = next(
        (
            s
            for s in step.state.shares
            if s.agreement_id == data.agreement_id
            and s.to_partner == data.to_partner
            and s.status in {"pending", "accepted"}
        ),
        None,
    )
    if share is None:
        raise Refused(f"no outstanding share of lead {step.state.lead_id} to {data.to_partner}")
    step.stop_clock(RESPONSE_CLOCK, "agreement terminated", key=share.share_id)
    handling = share.on_termination
    if handling == "retain_until_closed":
        update_share(step, share, status="retained")
        both(step, share, "lead_retained")
        return
    share = update_share(step, share, status="returned" if handling == "return" else "deleted")
    record_share(step, share)
    end_retention(step, share, f"share {handling}d at termination")
    if handling == "return":
        both(step, share, "lead_returned")
        return
    obligation = open_obligation(
        step,
        share,
        "erasure",
        derived_id(step.state.lead_id, share.share_id, "erasure"),
        step.at + timedelta(days=share.erasure_within_days),
    )
    both(
        step,
        share,
        "lead_deleted",
        details={"obligation_id": obligation.obligation_id, "erase_by": iso_z(obligation.due_at)},
    )
