"""Every deletion duty of a partner holding a lead, and its settling (issue 5).

A duty is an ``Obligation`` of the share's receiver with a clock keyed by its id: the
termination's ``delete`` (``ERASURE_OVERDUE``, ``sharing_release``), an erasure request
(``ERASURE_OVERDUE``, ``lead_erasure``), retention (``RETENTION_EXPIRED``,
``retention``). ``ErasureConfirmed{request_id, partner_id}`` settles one, naming its
``confirm_id``, and with it every other open duty of the same share.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from projections.lead.partners import Obligation, Share
from projections.lead.sharing.emit import both
from projections.lead.sharing.fold import ERASURE_CLOCK, RETENTION_CLOCK, terms_label
from projections.lead.state import LeadState
from projections.lead.step import Step
from projections.outcome import Refused
from schemas.privacy_events import ErasureConfirmed

OBLIGATION_CLOCKS = {"retention": RETENTION_CLOCK}
"""The clock of an obligation kind; every other kind runs ``ERASURE_OVERDUE``."""


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


def end_retention(step: Step, share: Share, why: str) -> None:
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
    """Settles the confirming partner's open obligation that ``request_id`` names, and
    every other open deletion duty of the same share: deleted is deleted, whichever
    duty (termination, erasure request, retention) the partner named."""
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
    if obligation.share_id is not None:  # a row stored before share ids stands alone
        for other in step.state.obligations:
            if other.share_id == obligation.share_id and other.settled_at is None:
                settle(step, other, why)
    step.log("obligation", "open", "settled", f"{data.partner_id} confirmed erasure")
    share = share_of(step.state, obligation)
    both(step, share, "erasure_confirmed", details={"obligation_id": obligation.obligation_id})
