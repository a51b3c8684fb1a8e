"""Lead sharing on the lead fold: admission, the partner's response, and the end of a
share when its agreement is terminated (design rules 1-5, 9).

A refused share is not an error of the fold: it is recorded (a partner never receives
a lead it was refused), answered with ``LeadShareRejected`` listing every reason, and
the sender sees it in its view; ``step.refusal`` marks the input as rejected.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from projections.agreement.state import AgreementState, terms_at
from projections.history import iso_z
from projections.ids import derived_id
from projections.lead.partners import OUTSTANDING, Share
from projections.lead.sharing.admission import admission_reasons
from projections.lead.sharing.emit import activity, both, hours_between, record_share, update_share
from projections.lead.sharing.standing import standing_problem
from projections.lead.step import Step
from projections.outcome import Refused
from schemas.agreement_events import LeadShared, PartnerResponded
from schemas.system_events import LeadShareRejected, LeadShareRejectedData

RESPONSE_CLOCK, ERASURE_CLOCK = "PARTNER_NOT_RESPONDED", "ERASURE_OVERDUE"
RETENTION_CLOCK = "RETENTION_EXPIRED"


def on_lead_shared(step: Step, event: LeadShared) -> None:
    data = event.data
    if problem := standing_problem(step.state, event.source, data):
        # Judged before anything else, so the reason tells a stranger nothing about
        # the lead, and the receiver is not barred: it was never offered the lead.
        _refuse(step, event, [problem], bars_receiver=False)
        return
    reasons = admission_reasons(step.state, data, step.at, step.agreements)
    if reasons:
        _refuse(step, event, reasons)
        return
    agreement = step.agreements.get(data.agreement_id)
    assert agreement is not None  # admission refuses an unknown agreement
    share = _snapshot(event, agreement)
    step.state = replace(step.state, shares=(*step.state.shares, share))
    step.log(
        "share",
        None,
        "pending",
        f"shared with {share.to_partner} under terms v{share.terms_version}",
    )
    step.start_clock(
        RESPONSE_CLOCK,
        key=share.share_id,
        due_at=step.at + timedelta(hours=share.accept_within_hours),
        version=terms_label(share),
    )
    respond_by = iso_z(step.at + timedelta(hours=share.accept_within_hours))
    details = {"share_id": share.share_id, "respond_by": respond_by}
    activity(
        step,
        share.from_partner,
        "share_sent",
        agreement_id=share.agreement_id,
        counterparty=share.to_partner,
        details={**details, "role": "sender"},
    )
    activity(
        step,
        share.to_partner,
        "share_received",
        agreement_id=share.agreement_id,
        counterparty=share.from_partner,
        details={**details, "role": "receiver", **_kpi_targets(agreement, step)},
    )
    record_share(step, share)  # last: the command's consequences follow the activities


def _snapshot(event: LeadShared, agreement: AgreementState) -> Share:
    """The terms a share keeps for its whole life (leads shared under old terms keep them)."""
    version, terms = terms_at(agreement, event.occurred_at)
    revenue = terms.revenue_share
    return Share(
        share_id=event.event_id,
        agreement_id=event.data.agreement_id,
        from_partner=event.data.from_partner,
        to_partner=event.data.to_partner,
        shared_at=event.occurred_at,
        terms_version=version,
        accept_within_hours=terms.response.accept_within_hours,
        revenue_model=revenue.model if revenue else None,
        revenue_rate=revenue.rate if revenue else 0.0,
        currency=revenue.currency if revenue else None,
        payable_within_days=revenue.payable_within_days if revenue else 0,
        on_termination=terms.termination.outstanding_leads,
        erasure_within_days=terms.privacy.erasure_within_days,
        retention_days=terms.privacy.retention_days,
    )


def _kpi_targets(agreement: AgreementState, step: Step) -> dict[str, str]:
    _, terms = terms_at(agreement, step.at)
    targets = {"accept_within_hours": str(terms.response.accept_within_hours)}
    if terms.kpis.min_conversion_rate is not None:
        targets["min_conversion_rate"] = str(terms.kpis.min_conversion_rate)
    if terms.kpis.max_follow_up_hours is not None:
        targets["max_follow_up_hours"] = str(terms.kpis.max_follow_up_hours)
    return targets


def terms_label(share: Share) -> str:
    """Recorded in the share's clocks: which agreement terms they run under."""
    return f"{share.agreement_id}@v{share.terms_version}"


def _refuse(
    step: Step, event: LeadShared, reasons: list[str], *, bars_receiver: bool = True
) -> None:
    data = event.data
    if bars_receiver and data.to_partner not in step.state.refused_partners:
        step.state = replace(
            step.state, refused_partners=(*step.state.refused_partners, data.to_partner)
        )
    step.log("share", None, "refused", f"share to {data.to_partner} refused: {'; '.join(reasons)}")
    rejection_id = derived_id(step.state.lead_id, event.event_id, "share-rejected")
    step.emit(
        LeadShareRejected,
        LeadShareRejectedData(
            reasons=reasons,
            share_event_id=event.event_id,
            agreement_id=data.agreement_id,
            from_partner=data.from_partner,
            to_partner=data.to_partner,
        ),
        rejection_id,
    )
    step.refusal = "; ".join(reasons)
    if event.source != data.from_partner:
        return  # nobody speaks for a partner: its view shows nothing claimed in its name
    activity(
        step,
        data.from_partner,
        "share_refused",
        agreement_id=data.agreement_id,
        counterparty=data.to_partner,
        reasons=reasons,
    )


def on_partner_responded(step: Step, event: PartnerResponded) -> None:
    data = event.data
    share = next(
        (s for s in step.state.shares if s.to_partner == data.partner_id and s.status == "pending"),
        None,
    )
    if share is None:
        raise Refused(
            f"lead {step.state.lead_id} has no share awaiting {data.partner_id}'s response"
        )
    status = "accepted" if data.accepted else "rejected"
    share = update_share(step, share, status=status, responded_at=step.at)
    step.stop_clock(RESPONSE_CLOCK, f"{data.partner_id} {status}", key=share.share_id)
    hours = hours_between(share.shared_at, step.at)
    details = {
        "accepted": str(data.accepted).lower(),
        "response_hours": str(hours),
        "within_sla": str(hours <= share.accept_within_hours).lower(),
    }
    if data.reason:
        details["reason"] = data.reason
    both(step, share, "responded", details=details)
    record_share(step, share)


def held_shares(step: Step) -> list[Share]:
    """Shares whose receiver holds the lead and earns from it (accepted or retained)."""
    return [s for s in step.state.shares if s.status in OUTSTANDING and s.status != "pending"]
