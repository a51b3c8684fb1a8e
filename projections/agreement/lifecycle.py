"""What happens to an agreement as time passes: activation, review, expiry, termination.

Each function is called either by an event's handler (when the moment has already
come) or by the clock that waited for it, so live and replay reach the same state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from projections.agreement.state import (
    ACTIVE,
    EXPIRED,
    TERMINATED,
    AgreementState,
    ended_at,
    outstanding_leads,
    party_ids,
    renews,
    terms_at,
)
from projections.agreement.step import AgreementStep, add_months, emit_event
from projections.history import Clock, iso_z
from projections.ids import derived_id
from schemas.partner_system_events import SharedLeadReleased, SharedLeadReleasedData

ENDED = frozenset({EXPIRED, TERMINATED})
EXPIRING_NOTICE = timedelta(days=30)
"""``AGREEMENT_EXPIRING`` fires this long before ``expires_at`` (issue 4)."""


def activate(step: AgreementStep, at: datetime) -> None:
    """The agreement comes into force: every party signed and ``effective_from`` came."""
    step.state = replace(step.state, activated_at=at)
    step.set_status(ACTIVE, "every party signed and effective_from has come")
    schedule_review(step, 1)
    schedule_expiry(step)


def schedule_review(step: AgreementStep, cycle: int) -> None:
    """Review ``cycle`` falls ``cycle * review_every_months`` after activation (no drift)."""
    activated = step.state.activated_at
    assert activated is not None  # reviews run only on an activated agreement
    months = step.state.terms.review_every_months
    step.start_clock("AGREEMENT_REVIEW_DUE", add_months(activated, cycle * months), str(cycle))


def schedule_expiry(step: AgreementStep) -> None:
    """The expiring warning and the expiry itself, for the current ``expires_at``."""
    expires = step.state.expires_at
    if expires is None:
        step.stop_clock("AGREEMENT_EXPIRING", "no expiry date")
        step.stop_clock("AGREEMENT_EXPIRES", "no expiry date")
        return
    tag = iso_z(expires)
    step.start_clock("AGREEMENT_EXPIRING", expires - EXPIRING_NOTICE, tag)
    step.start_clock("AGREEMENT_EXPIRES", expires, tag)


def review_due(step: AgreementStep, clock: Clock) -> None:
    cycle = 1 + sum(e.rule == "AGREEMENT_REVIEW_DUE" for e in step.state.escalations)
    step.escalate(clock, [step.state.proposed_by], details(step.state, review_cycle=str(cycle)))
    schedule_review(step, cycle + 1)


def expiring(step: AgreementStep, clock: Clock) -> None:
    step.escalate(clock, party_ids(step.state), details(step.state))


def expires(step: AgreementStep, clock: Clock) -> None:
    """At ``expires_at``: renewed for the same term length under ``auto_renew``, else over."""
    step.state = replace(step.state, clocks=tuple(c for c in step.state.clocks if c != clock))
    _, terms = terms_at(step.state, clock.due_at)
    expires_at = step.state.expires_at
    assert expires_at is not None  # the clock exists only with an expiry date
    if renews(terms) and terms.expires_at is not None:  # (the second test is for mypy)
        length = terms.expires_at - terms.effective_from
        renewed = expires_at + length
        step.log("expires_at", iso_z(expires_at), iso_z(renewed), "auto_renew: same term length")
        step.state = replace(step.state, expires_at=renewed)
        step.tell_parties(ACTIVE, {"renewed_until": iso_z(renewed)})
        schedule_expiry(step)
        return
    end(step, EXPIRED, f"expires_at {iso_z(expires_at)} passed without auto_renew")


def termination_effective(step: AgreementStep, clock: Clock | None) -> None:
    if clock is not None:
        step.state = replace(step.state, clocks=tuple(c for c in step.state.clocks if c != clock))
    end(step, TERMINATED, f"terminated by {step.state.terminated_by}, notice served")


def end(step: AgreementStep, status: str, rule: str) -> None:
    """Expired or terminated: no clock runs any more, and every outstanding lead is
    released the way the terms under which it was shared say."""
    step.stop_all_clocks(f"agreement {status.lower()}")
    step.set_status(status, rule)
    release_outstanding(step)


def release_outstanding(step: AgreementStep) -> None:
    release(step, outstanding_leads(step.state))


def release_late(step: AgreementStep, key: tuple[str, str]) -> None:
    """A share recorded after the agreement's end was applied: released as if it had
    been out at the end.

    The live timer ends an agreement on the wall clock, so in a backfill (or when a
    partner publishes late) a share made before the end is recorded after it. Judged
    on event time it was out when the end came: it is released at the end's time and
    under the end's cause, as the end released the shares it knew, so the lead's own
    clocks due before the end (``PARTNER_NOT_RESPONDED``) still fire first, as in a
    replay on event time. Only a share dated after the end (admitted by a worker that
    had not yet read the end) is released at its own time.
    """
    history = step.state.history
    ends = [n for n, c in enumerate(history) if c.kind == "status" and c.after in ENDED]
    end = history[ends[-1]] if ends else None
    if end is None or end.at <= step.at:
        release(step, [key])
    else:
        at_end = AgreementStep(step.state, step.policy, end.at, end.cause)
        release(at_end, [key])
        step.state = at_end.state
        step.emitted.extend(at_end.emitted)
    if ends and all(c.kind == "share" for c in step.state.history[ends[-1] + 1 :]):
        # Only releases follow the end; keep them in the order the end itself logs
        # them (by time, then lead), whichever order the late ones arrived in.
        head, tail = step.state.history[: ends[-1] + 1], step.state.history[ends[-1] + 1 :]
        tail = tuple(sorted(tail, key=lambda c: (c.at, c.before or "", c.rule)))
        step.state = replace(step.state, history=head + tail)


def release(step: AgreementStep, keys: list[tuple[str, str]]) -> None:
    """One ``SharedLeadReleased`` per (lead, receiver), with the handling of the terms
    its share was made under."""
    end = ended_at(step.state)  # when it ended, also for a share recorded after that
    shares = dict(step.state.shares)
    for lead_id, to_partner in keys:
        _, version = shares[(lead_id, to_partner)]
        terms = next(v.terms for v in step.state.versions if v.version == version)
        handling = terms.termination.outstanding_leads
        data = SharedLeadReleasedData(
            agreement_id=step.agreement_id,
            to_partner=to_partner,
            handling=handling,
            effective_at=end[1] if end is not None else step.at,
            erasure_within_days=terms.privacy.erasure_within_days,
        )
        eid = derived_id(step.agreement_id, lead_id, to_partner, "released")
        emit_event(step.emitted, SharedLeadReleased, lead_id, data, at=step.at, eid=eid)
        shares[(lead_id, to_partner)] = ("released", version)
        step.log("share", lead_id, "released", f"{handling} to {to_partner}: agreement ended")
    step.state = replace(step.state, shares=shares)


def details(state: AgreementState, **extra: str) -> dict[str, str]:
    body = {"agreement_id": state.agreement_id, "parties": ",".join(party_ids(state))}
    if state.expires_at is not None:
        body["expires_at"] = iso_z(state.expires_at)
    return {**body, **extra}
