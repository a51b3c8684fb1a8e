"""The agreement aggregate as a pure fold: ``evolve_agreement(state, event, policy)``.

No Kafka, no clock: an event's ``occurred_at`` is the only time. Before an event is
applied every clock due at or before it fires (``advance_agreement``), so replay
raises what the live timer raised. This module holds the handlers and the clock
dispatch; proposal, signatures and amendments are in ``agreement_terms``, what time
does (activation, review, expiry, the end and its releases) in ``agreement_lifecycle``.
The seed's ten elements, mapped to code and tests: ``projections/AGREEMENTS.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from projections.agreement import lifecycle as life
from projections.agreement.state import (
    ACTIVE,
    EXPIRED,
    OUTSTANDING,
    PROPOSED,
    TERMINATED,
    AgreementState,
    state_at,
    terms_at,
)
from projections.agreement.step import AgreementStep, Outcome
from projections.agreement.terms import (
    amend,
    propose,
    sign,
    terms_problems,
)
from projections.history import iso_z
from projections.idempotency import remembered, reuse_problem
from projections.outcome import Refused
from projections.policy import Policy
from schemas.agreement_events import (
    AgreementAmended,
    AgreementProposed,
    AgreementRenewed,
    AgreementSigned,
    AgreementTerminated,
)
from schemas.envelope import Envelope
from schemas.partner_system_events import ShareRecorded

__all__ = ["Outcome", "advance_agreement", "evolve_agreement"]


def _ongoing(step: AgreementStep, what: str) -> None:
    now = state_at(step.state, step.at)
    if now not in {PROPOSED, ACTIVE}:
        raise Refused(f"agreement {step.agreement_id} is {now}: cannot {what}")


def on_proposed(step: AgreementStep, event: AgreementProposed) -> None:
    raise Refused(f"agreement {event.subject} was already proposed")


def on_signed(step: AgreementStep, event: AgreementSigned) -> None:
    _ongoing(step, "sign")
    sign(step, event)


def _party_only(step: AgreementStep, event: Envelope) -> None:
    """An external partner (admission's ``source_kind``) acts only on its agreements."""
    parties = {p.partner_id for p in step.state.parties}
    if event.source_kind == "external" and event.source not in parties:
        raise Refused(
            f"{event.type} from external partner {event.source}, "
            f"which is not a party to agreement {step.agreement_id}"
        )


def on_amended(step: AgreementStep, event: AgreementAmended) -> None:
    _party_only(step, event)
    _ongoing(step, "amend")
    amend(step, event)


def on_renewed(step: AgreementStep, event: AgreementRenewed) -> None:
    _party_only(step, event)
    now = state_at(step.state, step.at)
    if now != ACTIVE:
        raise Refused(f"only an ACTIVE agreement is renewed; {step.agreement_id} is {now}")
    new, old = event.data.expires_at, step.state.expires_at
    if new <= step.at or (old is not None and new <= old):
        shown = iso_z(old) if old else "none"
        raise Refused(
            f"renewal to {iso_z(new)} must be later than now and than the expiry ({shown})"
        )
    step.log("expires_at", iso_z(old) if old else None, iso_z(new), f"renewed by {event.event_id}")
    step.state = replace(step.state, expires_at=new)
    step.tell_parties(ACTIVE, {"renewed_until": iso_z(new)})
    life.schedule_expiry(step)


def on_terminated(step: AgreementStep, event: AgreementTerminated) -> None:
    partner = event.data.partner_id
    if partner not in {p.partner_id for p in step.state.parties}:
        raise Refused(f"{partner} is not a party to agreement {step.agreement_id}")
    _ongoing(step, "terminate")
    if step.state.termination_effective_at is not None:
        raise Refused(
            f"agreement {step.agreement_id} is already terminating, effective "
            f"{iso_z(step.state.termination_effective_at)}"
        )
    _, terms = terms_at(step.state, step.at)
    notice = step.at + timedelta(days=terms.termination.notice_days)
    effective = max(event.data.effective_at, notice)
    step.log("termination", None, iso_z(effective), f"by {partner}: {event.data.reason}")
    step.state = replace(step.state, terminated_by=partner, termination_effective_at=effective)
    if effective <= step.at:
        life.termination_effective(step, None)
        return
    for clock in step.state.clocks:  # nothing is due once the agreement has ended
        if clock.due_at >= effective:
            step.stop_clock(clock.rule, f"terminated effective {iso_z(effective)}")
    step.start_clock("TERMINATION_EFFECTIVE", effective, iso_z(effective))
    step.tell_parties("TERMINATING", {"effective_at": iso_z(effective), "by": partner})


def on_share_recorded(step: AgreementStep, event: ShareRecorded) -> None:
    """Book-keeping of the shares still out with their receivers, for release at the end.

    Only outstanding (and released) shares are kept: a rejected or closed share has
    nothing left to release, so the state grows with the leads out now, not with every
    lead ever shared (``bench/agreement_bench.py``), and a lead shared again later gets
    the terms of its new share.
    """
    data, key = event.data, (event.data.lead_id, event.data.to_partner)
    state = step.state
    before = state.shares.get(key)
    if before is not None and before[0] == "released" and data.status in OUTSTANDING:
        return  # already released at the end; a late status cannot bring it back
    shares = dict(state.shares)
    if data.status not in OUTSTANDING:
        shares.pop(key, None)
        step.state = replace(state, shares=shares)
        return
    # The terms in force when it was shared, kept while the share stays out.
    version = before[1] if before is not None else terms_at(state, step.at)[0]
    shares[key] = (data.status, version)
    step.state = replace(state, shares=shares)
    if state.status in {TERMINATED, EXPIRED}:
        life.release_late(step, key)  # the end came first: release it now, as at the end


HANDLERS: dict[type[Envelope], Callable[[AgreementStep, Any], None]] = {
    AgreementProposed: on_proposed,
    AgreementSigned: on_signed,
    AgreementAmended: on_amended,
    AgreementRenewed: on_renewed,
    AgreementTerminated: on_terminated,
    ShareRecorded: on_share_recorded,
}


def evolve_agreement(state: AgreementState | None, event: Envelope, policy: Policy) -> Outcome:
    """Apply one event; a seen ``event_id`` is a no-op, a refused event changes nothing."""
    if state is None:
        return _create(event, policy)
    if event.event_id in state.seen:
        # The same content again is a duplicate; other content under the id is refused.
        problem = reuse_problem(event, state.digests)
        return Outcome(state, rejection=problem, duplicate=problem is None)
    handler = HANDLERS.get(type(event))
    if handler is None:
        return Outcome(state, rejection=f"{event.type} is not an agreement event")
    overdue = advance_agreement(state, event.occurred_at, policy)
    assert overdue.state is not None  # advancing never forgets an agreement
    step = AgreementStep(overdue.state, policy, event.occurred_at, event.event_id)
    try:
        handler(step, event)
    except Refused as refusal:
        refused = _seen(overdue.state, event)
        return Outcome(refused, overdue.emitted, rejection=str(refusal))
    if isinstance(event, ShareRecorded):
        # Setting a share's status again is a no-op, and a redelivery replays in order,
        # so these ids need not be remembered: an agreement with thousands of shares
        # would otherwise carry (and rewrite on every table write) thousands of ids.
        return Outcome(step.state, (*overdue.emitted, *step.emitted))
    return Outcome(_seen(step.state, event), (*overdue.emitted, *step.emitted))


def _seen(state: AgreementState, event: Envelope) -> AgreementState:
    """``state`` remembering ``event``'s id and the digest of its content."""
    return replace(
        state, seen=state.seen | {event.event_id}, digests=remembered(state.digests, event)
    )


def _create(event: Envelope, policy: Policy) -> Outcome:
    if not isinstance(event, AgreementProposed):
        return Outcome(None, rejection=f"{event.type} for unknown agreement {event.subject}")
    if problems := terms_problems(event.data.parties, event.data.terms):
        return Outcome(None, rejection="; ".join(problems))
    return propose(event, policy)


def _activates(step: AgreementStep, clock: Any) -> None:
    step.state = replace(step.state, clocks=tuple(c for c in step.state.clocks if c != clock))
    life.activate(step, clock.due_at)


CLOCK_RULES: dict[str, Callable[[AgreementStep, Any], None]] = {
    "AGREEMENT_ACTIVATES": _activates,
    "AGREEMENT_REVIEW_DUE": life.review_due,
    "AGREEMENT_EXPIRING": life.expiring,
    "AGREEMENT_EXPIRES": life.expires,
    "TERMINATION_EFFECTIVE": life.termination_effective,
}


def advance_agreement(state: AgreementState, now: datetime, policy: Policy) -> Outcome:
    """Fire every open clock due at or before ``now``, earliest first."""
    emitted: list[Envelope] = []
    while due := sorted(
        (c for c in state.clocks if c.due_at <= now), key=lambda c: (c.due_at, c.rule)
    ):
        clock = due[0]
        step = AgreementStep(state, policy, clock.due_at, clock.clock_id)
        CLOCK_RULES[clock.rule](step, clock)
        state = step.state
        emitted.extend(step.emitted)
    return Outcome(state, tuple(emitted))
