"""The receiver's pipeline: its own deal on a lead shared to it (issue 17).

A receiver that accepted a share works the lead in its own CRM: it reports
``LeadConverted`` and then ``OpportunityClosed`` (won or lost, with the amount). Its
deal is a track of the share, accepted -> converted -> won | lost, apart from the own
organisation's SLA funnel (RAW ... SQL -> CONVERTED), whose statuses and clocks it
never touches: the generator's funnel may never have reached SQL, and a receiver's
conversion is not the own sales team's.

Which track an event is on comes from who published it, never from the payload:
admission stamps ``source_kind`` from the topic or token the partner authenticated
with, and an external partner's ``LeadConverted``/``OpportunityClosed`` is its own
pipeline's. ``scope`` has already refused it unless the publisher holds the lead
through an accepted (or retained) share. Internal systems and operators keep the
funnel's rules unchanged (``fold.on_converted``, ``fold.on_opportunity_closed``).

A won deal accrues the commission under the terms the share was made under (its
snapshot), as the funnel's won deal does: ``commission.accrue``, with its
``COMMISSION_OVERDUE`` clock.
"""

from __future__ import annotations

from projections.lead import commission
from projections.lead.partners import Share
from projections.lead.sharing.emit import both, update_share
from projections.lead.sharing.fold import held_shares
from projections.lead.step import Step
from projections.outcome import Refused
from schemas.lead_events import LeadConverted, OpportunityClosed

TRACK = {"track": "receiver"}
"""Marks the activities of the receiver's pipeline, so both partners' views tell the
receiver's deal from one the own organisation's funnel closed."""


def receiver_share(step: Step, partner: str) -> Share:
    """The share through which ``partner`` holds the lead (``scope`` checked there is one)."""
    mine = [s for s in held_shares(step) if s.to_partner == partner]
    if not mine:  # scope refuses it first; kept so the rule stands on its own
        raise Refused(f"partner {partner} holds no accepted share of lead {step.state.lead_id}")
    return mine[-1]


def on_receiver_converted(step: Step, event: LeadConverted) -> None:
    data, partner = event.data, event.source
    share = receiver_share(step, partner)
    if share.pipeline is not None:
        raise Refused(
            f"{partner} already reported lead {step.state.lead_id} converted "
            f"(its pipeline is {share.pipeline})"
        )
    update_share(
        step,
        share,
        pipeline="converted",
        converted_at=step.at,
        opportunity_id=data.opportunity_id,
        deal_amount=data.amount,
        deal_currency=data.currency,
    )
    step.log(
        "pipeline",
        None,
        "converted",
        f"{partner} converted the lead to contact {data.contact_id} (receiver's pipeline)",
    )
    both(step, share, "lead_converted", details=TRACK)


def on_receiver_closed(step: Step, event: OpportunityClosed) -> None:
    data, partner = event.data, event.source
    share = receiver_share(step, partner)
    if share.pipeline != "converted":
        raise Refused(_not_open(step, partner, share))
    if share.opportunity_id not in (None, data.opportunity_id):
        raise Refused(
            f"{partner} converted lead {step.state.lead_id} with opportunity "
            f"{share.opportunity_id}, not {data.opportunity_id}"
        )
    outcome = "won" if data.won else "lost"
    share = update_share(
        step,
        share,
        pipeline=outcome,
        closed_at=step.at,
        opportunity_id=data.opportunity_id,
        deal_amount=data.amount,
        deal_currency=data.currency,
    )
    step.log(
        "pipeline",
        "converted",
        outcome,
        f"{partner} closed {data.opportunity_id} {outcome} {data.amount} {data.currency}",
    )
    both(
        step,
        share,
        f"opportunity_{outcome}",
        amount=data.amount,
        currency=data.currency,
        details={**TRACK, "opportunity_id": data.opportunity_id},
    )
    if data.won and share.revenue_model is not None:
        commission.accrue(step, share, data.opportunity_id, data.amount, data.currency)
    commission.close_retained(step, share)


def _not_open(step: Step, partner: str, share: Share) -> str:
    lead = step.state.lead_id
    if share.pipeline is None:
        return f"{partner} has no open opportunity on lead {lead}: it reports LeadConverted first"
    return f"{partner}'s deal on lead {lead} is already closed {share.pipeline}"
