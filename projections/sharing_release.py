"""The end of a share: a termination releases it, an erasure obligation settles it.

When an agreement's termination takes effect, the agreement fold sends one
``SharedLeadReleased`` per outstanding lead; the lead applies the handling of the terms
the share was made under (its snapshot): ``return``, ``retain_until_closed``, or
``delete`` (an erasure obligation with an ``ERASURE_OVERDUE`` clock, settled by
``ErasureConfirmed`` naming the obligation id as ``request_id``). The obligation
machinery here (``open_obligation``, ``settle``) also serves erasure requests
(``lead_erasure``) and retention (``RETENTION_EXPIRED``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from projections.ids import derived_id
from projections.lead_partners import Obligation, Share, iso_z
from projections.lead_state import LeadState
from projections.lead_step import Step
from projections.outcome import Refused
from projections.sharing import ERASURE_CLOCK, RESPONSE_CLOCK, RETENTION_CLOCK, terms_label
from projections.sharing_emit import both, record_share, update_share
from schemas.partner_system_events import SharedLeadReleased
from schemas.privacy_events import ErasureConfirmed

OBLIGATION_CLOCKS = {"retention": RETENTION_CLOCK}
"""The clock of an obligation kind; every other kind runs ``ERASURE_OVERDUE``."""


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
    _end_retention(step, share, f"share {handling}d at termination")
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


def open_obligation(
    step: Step,
    share: Share,
    kind: str,
    obligation_id: str,
    due_at: datetime,
    *,
    clock: str = ERASURE_CLOCK,
    request_id: str | None = None,
    regime: str | None = None,
) -> Obligation:
    """The share's receiver must delete the lead's personal data by ``due_at``: record
    it and start its clock (keyed by the obligation id). Every deletion duty (the
    agreement's end, an erasure request, retention) is one of these."""
    obligation = Obligation(
        obligation_id=obligation_id,
        kind=kind,
        agreement_id=share.agreement_id,
        partner_id=share.to_partner,
        created_at=step.at,
        due_at=due_at,
        share_id=share.share_id,
        request_id=request_id,
        regime=regime,
    )
    step.state = replace(step.state, obligations=(*step.state.obligations, obligation))
    step.start_clock(clock, key=obligation.obligation_id, due_at=due_at, version=terms_label(share))
    return obligation


def share_of(state: LeadState, obligation: Obligation) -> Share:
    """The share an obligation is about (a row stored before ``share_id``: the deleted
    share of its agreement and partner, as it was then)."""
    return next(
        s
        for s in state.shares
        if s.share_id == obligation.share_id
        or (
            obligation.share_id is None
            and s.agreement_id == obligation.agreement_id
            and s.to_partner == obligation.partner_id
            and s.status == "deleted"
        )
    )


def settle(step: Step, obligation: Obligation, why: str) -> None:
    settled = replace(obligation, settled_at=step.at)
    step.state = replace(
        step.state,
        obligations=tuple(settled if o is obligation else o for o in step.state.obligations),
    )
    clock = OBLIGATION_CLOCKS.get(obligation.kind, ERASURE_CLOCK)
    step.stop_clock(clock, why, key=obligation.obligation_id)


def _end_retention(step: Step, share: Share, why: str) -> None:
    """Handing the lead back ends the retention duty; ``delete`` replaces it by the
    termination's own erasure obligation."""
    for obligation in step.state.obligations:
        if (
            obligation.kind == "retention"
            and obligation.share_id == share.share_id
            and obligation.settled_at is None
        ):
            settle(step, obligation, why)


def on_erasure_confirmed(step: Step, event: ErasureConfirmed) -> None:
    """Settles the confirming partner's open obligation that ``request_id`` names. A
    partner that erased a lead on request has also done what retention asks of it."""
    data = event.data
    obligation = next(
        (
            o
            for o in step.state.obligations
            if o.confirm_id == data.request_id
            and o.partner_id == data.partner_id
            and o.settled_at is None
        ),
        None,
    )
    if obligation is None:
        raise Refused(
            f"no open erasure obligation {data.request_id} of {data.partner_id} "
            f"on lead {step.state.lead_id}"
        )
    why = f"erasure confirmed by {data.partner_id}"
    settle(step, obligation, why)
    if obligation.kind == "erasure_request":
        for other in step.state.obligations:
            if (
                other.kind == "retention"
                and other.share_id == obligation.share_id
                and other.settled_at is None
            ):
                settle(step, other, why)
    step.log("obligation", "open", "settled", f"{data.partner_id} confirmed erasure")
    share = share_of(step.state, obligation)
    both(step, share, "erasure_confirmed", details={"obligation_id": obligation.obligation_id})
