"""Proposal, signatures and amendments: which version of the terms is in force.

Every version must be signed by every party (design rules 5 and 10): the first one
makes the agreement ACTIVE once ``effective_from`` has come; a later one (an
amendment) replaces the terms from its last signature on, while leads shared before
keep the version they were shared under (``terms_at``).
"""

from __future__ import annotations

from dataclasses import replace

from projections.agreement import lifecycle as life
from projections.agreement.state import (
    PROPOSED,
    AgreementState,
    Signature,
    TermsVersion,
    party_ids,
)
from projections.agreement.step import AgreementStep, Outcome
from projections.history import iso_z
from projections.idempotency import remembered
from projections.outcome import Refused
from projections.policy import Policy
from schemas.agreement_events import (
    AgreementAmended,
    AgreementProposed,
    AgreementSigned,
    Party,
    Terms,
)


def terms_problems(parties: list[Party] | tuple[Party, ...], terms: Terms) -> list[str]:
    """Every reason these parties and terms cannot make an agreement."""
    problems = []
    ids = [p.partner_id for p in parties]
    if len(set(ids)) != len(ids):
        problems.append(f"a partner is listed twice among the parties {sorted(ids)}")
    if not any(p.role in {"generator", "both"} for p in parties):
        problems.append("no party generates leads (role generator or both)")
    receivers = {p.partner_id for p in parties if p.role in {"receiver", "both"}}
    if not receivers:
        problems.append("no party receives leads (role receiver or both)")
    if terms.expires_at is not None and terms.expires_at <= terms.effective_from:
        problems.append(
            f"expires_at {iso_z(terms.expires_at)} is not after "
            f"effective_from {iso_z(terms.effective_from)}"
        )
    steps = terms.disputes.steps
    if not steps or len(set(steps)) != len(steps):
        problems.append(f"dispute steps {steps} must be distinct, and at least one")
    for grant in terms.exclusivity:
        if grant.partner_id not in receivers:
            problems.append(f"exclusivity goes to {grant.partner_id}, not a receiving party")
        if grant.region is None and grant.industry is None:
            problems.append(f"exclusivity for {grant.partner_id} names no region or industry")
    return problems


def propose(event: AgreementProposed, policy: Policy) -> Outcome:
    terms = event.data.terms
    state = AgreementState(
        agreement_id=event.subject,
        parties=tuple(event.data.parties),
        terms=terms,
        terms_version=1,
        pending_terms=None,
        signed_by=frozenset(),
        proposed_at=event.occurred_at,
        activated_at=None,
        expires_at=terms.expires_at,
        terminated_by=None,
        termination_effective_at=None,
        proposed_by=event.actor or event.source,
        versions=(TermsVersion(1, terms, event.occurred_at, None),),
        seen=frozenset({event.event_id}),
        digests=remembered({}, event),
    )
    step = AgreementStep(state, policy, event.occurred_at, event.event_id)
    step.log("status", None, PROPOSED, f"proposed by {state.proposed_by}")
    step.tell_parties(PROPOSED)
    return Outcome(step.state, tuple(step.emitted))


def sign(step: AgreementStep, event: AgreementSigned) -> None:
    partner, state = event.data.partner_id, step.state
    if partner not in party_ids(state):
        raise Refused(f"{partner} is not a party to agreement {state.agreement_id}")
    pending = state.versions[-1]
    if pending.signed_at is not None:
        raise Refused(f"every party already signed version {pending.version}")
    if partner in state.signed_by:
        raise Refused(f"{partner} already signed version {pending.version}")
    signature = Signature(partner, event.data.signer, event.data.title, step.at, pending.version)
    step.state = replace(
        state, signatures=(*state.signatures, signature), signed_by=state.signed_by | {partner}
    )
    title = f" ({event.data.title})" if event.data.title else ""
    step.log("signature", None, partner, f"v{pending.version} signed by {event.data.signer}{title}")
    if step.state.signed_by == frozenset(party_ids(state)):
        _in_force(step, replace(pending, signed_at=step.at))


def _in_force(step: AgreementStep, version: TermsVersion) -> None:
    """The last signature is in: this version governs from ``max(now, effective_from)``."""
    state = step.state
    step.state = replace(
        state,
        versions=(*state.versions[:-1], version),
        terms=version.terms,
        terms_version=version.version,
        pending_terms=None,
        expires_at=version.terms.expires_at,
    )
    step.log("terms", str(state.terms_version), str(version.version), "signed by every party")
    starts = version.in_force_from
    assert starts is not None  # signed just now
    if state.activated_at is None:
        if starts <= step.at:
            life.activate(step, step.at)
        else:
            step.start_clock("AGREEMENT_ACTIVATES", starts, f"v{version.version}")
        return
    step.tell_parties(state.status, {"amended_from": iso_z(starts)})
    cycle = 1 + sum(e.rule == "AGREEMENT_REVIEW_DUE" for e in state.escalations)
    life.schedule_review(step, cycle)
    life.schedule_expiry(step)


def amend(step: AgreementStep, event: AgreementAmended) -> None:
    state, terms = step.state, event.data.terms
    if problems := terms_problems(state.parties, terms):
        raise Refused("; ".join(problems))
    last = state.versions[-1]
    if last.signed_at is None:
        # Not yet signed by all: the new text replaces it, and everyone signs again.
        version = replace(last, terms=terms, proposed_at=step.at)
        versions = (*state.versions[:-1], version)
        signatures = tuple(s for s in state.signatures if s.terms_version != last.version)
    else:
        version = TermsVersion(last.version + 1, terms, step.at, None)
        versions = (*state.versions, version)
        signatures = state.signatures
    first = version.version == 1
    step.state = replace(
        state,
        versions=versions,
        signatures=signatures,
        signed_by=frozenset(),
        pending_terms=None if first else terms,
        terms=terms if first else state.terms,
        expires_at=terms.expires_at if first else state.expires_at,
    )
    step.log("amendment", None, f"v{version.version}", "awaiting every party's signature")
    step.tell_parties(state.status, {"amendment_pending": f"v{version.version}"})
