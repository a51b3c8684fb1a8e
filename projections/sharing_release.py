"""The end of a share: a termination releases it, an erasure obligation settles it.

When an agreement's termination takes effect, the agreement fold sends one
``SharedLeadReleased`` per outstanding lead; the lead applies the handling of the terms
the share was made under (its snapshot): ``return``, ``retain_until_closed``, or
``delete`` (an erasure obligation with an ``ERASURE_OVERDUE`` clock, settled by
``ErasureConfirmed`` naming the obligation id as ``request_id``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from projections.ids import derived_id
from projections.lead_partners import Obligation, iso_z
from projections.lead_step import Step
from projections.outcome import Refused
from projections.sharing import ERASURE_CLOCK, RESPONSE_CLOCK, terms_label
from projections.sharing_emit import both, record_share, update_share
from schemas.partner_system_events import SharedLeadReleased
from schemas.privacy_events import ErasureConfirmed, ErasureRequested


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
    if handling == "return":
        both(step, share, "lead_returned")
        return
    obligation = Obligation(
        obligation_id=derived_id(step.state.lead_id, share.share_id, "erasure"),
        kind="erasure",
        agreement_id=share.agreement_id,
        partner_id=share.to_partner,
        created_at=step.at,
        due_at=step.at + timedelta(days=share.erasure_within_days),
    )
    step.state = replace(step.state, obligations=(*step.state.obligations, obligation))
    step.start_clock(
        ERASURE_CLOCK,
        key=obligation.obligation_id,
        due_at=obligation.due_at,
        version=terms_label(share),
    )
    both(
        step,
        share,
        "lead_deleted",
        details={"obligation_id": obligation.obligation_id, "erase_by": iso_z(obligation.due_at)},
    )


def on_erasure_confirmed(step: Step, event: ErasureConfirmed) -> None:
    data = event.data
    obligation = next(
        (
            o
            for o in step.state.obligations
            if o.obligation_id == data.request_id and o.settled_at is None
        ),
        None,
    )
    if obligation is None or obligation.partner_id != data.partner_id:
        raise Refused(
            f"no open erasure obligation {data.request_id} of {data.partner_id} "
            f"on lead {step.state.lead_id}"
        )
    settled = replace(obligation, settled_at=step.at)
    step.state = replace(
        step.state,
        obligations=tuple(settled if o is obligation else o for o in step.state.obligations),
    )
    step.stop_clock(
        ERASURE_CLOCK, f"erasure confirmed by {data.partner_id}", key=obligation.obligation_id
    )
    step.log("obligation", "open", "settled", f"{data.partner_id} confirmed erasure")
    share = next(
        s
        for s in step.state.shares
        if s.agreement_id == obligation.agreement_id
        and s.to_partner == obligation.partner_id
        and s.status == "deleted"
    )
    both(step, share, "erasure_confirmed", details={"obligation_id": obligation.obligation_id})


def on_erasure_requested(step: Step, event: ErasureRequested) -> None:
    raise Refused("ErasureRequested is not handled yet (erasure and crypto-shredding: issue 5)")
