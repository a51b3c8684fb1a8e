"""Share admission: every reason a ``LeadShared`` must be refused (design rules 1-4, 9).

All reasons are collected, not only the first, so a partner learns at once everything
it must fix. Pure: the lead's state, the agreements and the share's own event time are
the only inputs, so live and replay decide alike.
"""

from __future__ import annotations

from datetime import datetime

from projections.agreement.state import (
    ACTIVE,
    AgreementLookup,
    AgreementState,
    nda_unsigned,
    role_of,
    state_at,
    terms_at,
)
from projections.history import iso_z
from projections.lead.partners import OUTSTANDING
from projections.lead.privacy.consent import has_sharing_consent
from projections.lead.state import LeadState
from schemas.agreement_events import Exclusivity, LeadSharedData, QualificationTerms

SENDER_ROLES = frozenset({"generator", "both"})
RECEIVER_ROLES = frozenset({"receiver", "both"})
LEAD_FACTS = ("industry", "budget", "readiness")  # required_fields may name these too


def admission_reasons(
    lead: LeadState, share: LeadSharedData, at: datetime, agreements: AgreementLookup
) -> list[str]:
    """Why this share may not happen; an empty list admits it."""
    reasons = []
    if lead.erasure is not None:
        reasons.append(
            f"lead {lead.lead_id} was erased at its person's request: it is never shared again"
        )
    if share.to_partner in lead.refused_partners:
        reasons.append(
            f"{share.to_partner} was refused lead {lead.lead_id} before, "
            "and a partner never receives a lead it was refused"
        )
    if share.from_partner == share.to_partner:
        reasons.append("a partner cannot share a lead with itself")
    if any(s.to_partner == share.to_partner and s.status in OUTSTANDING for s in lead.shares):
        reasons.append(f"lead {lead.lead_id} is already with {share.to_partner}")
    agreement = agreements.get(share.agreement_id)
    if agreement is None:
        return [*reasons, f"unknown agreement {share.agreement_id}"]
    return reasons + agreement_reasons(lead, share, at, agreement, agreements)


def agreement_reasons(
    lead: LeadState,
    share: LeadSharedData,
    at: datetime,
    agreement: AgreementState,
    agreements: AgreementLookup,
) -> list[str]:
    sender, receiver = role_of(agreement, share.from_partner), role_of(agreement, share.to_partner)
    if sender is None:
        # A stranger naming someone else's agreement learns only that it is not a party:
        # the agreement's state, terms, roles and signatures are its parties' business.
        stranger = _role_problem(share.from_partner, None, "generator")
        return [stranger, *exclusivity_conflicts(lead, share, at, agreements)]
    reasons = []
    state = state_at(agreement, at)
    if state != ACTIVE:
        reasons.append(f"agreement {agreement.agreement_id} is {state} at {iso_z(at)}, not ACTIVE")
    if sender not in SENDER_ROLES:
        reasons.append(_role_problem(share.from_partner, sender, "generator"))
    if receiver not in RECEIVER_ROLES:
        reasons.append(_role_problem(share.to_partner, receiver, "receiver"))
    _, terms = terms_at(agreement, at)
    reasons += qualification_problems(lead, terms.qualification)
    if terms.privacy.require_consent and not has_sharing_consent(lead, share.to_partner):
        reasons.append(
            f"the privacy terms require consent: no sharing consent for {share.to_partner} "
            "or for any partner"
        )
    if unsigned := nda_unsigned(agreement, at):
        reasons.append(f"the NDA is required and not signed by {', '.join(unsigned)}")
    reasons += exclusivity_conflicts(lead, share, at, agreements)
    return reasons


def _role_problem(partner: str, role: str | None, wanted: str) -> str:
    if role is None:
        return f"{partner} is not a party to the agreement"
    return f"{partner} has role {role} in the agreement; a {wanted} (or both) is needed"


def qualification_problems(lead: LeadState, terms: QualificationTerms) -> list[str]:
    """Rule 2: the lead against the agreement's qualification terms, now."""
    problems = []
    if terms.min_budget is not None and lead.budget is None:
        problems.append(f"budget unknown; the minimum is {terms.min_budget}")
    elif terms.min_budget is not None and (lead.budget or 0) < terms.min_budget:
        problems.append(f"budget {lead.budget} is below the minimum {terms.min_budget}")
    if terms.industries and (lead.industry or "").lower() not in _lower(terms.industries):
        problems.append(f"industry {lead.industry} is not one of {', '.join(terms.industries)}")
    title = (lead.job_title or "").lower()
    if terms.job_roles and not any(role.lower() in title for role in terms.job_roles):
        problems.append(f"job title {lead.job_title} matches none of {', '.join(terms.job_roles)}")
    if terms.readiness and lead.readiness not in terms.readiness:
        problems.append(f"readiness {lead.readiness} is not one of {', '.join(terms.readiness)}")
    if missing := [f for f in terms.required_fields or () if not _present(lead, f)]:
        problems.append(f"required fields missing: {', '.join(missing)}")
    if terms.min_score is not None and lead.score < terms.min_score:
        problems.append(f"score {lead.score} is below the minimum {terms.min_score}")
    return problems


def _present(lead: LeadState, name: str) -> bool:
    if name in LEAD_FACTS:
        return getattr(lead, name) is not None
    return name in lead.person_fields


def _lower(values: list[str]) -> set[str]:
    return {v.lower() for v in values}


def exclusivity_conflicts(
    lead: LeadState, share: LeadSharedData, at: datetime, agreements: AgreementLookup
) -> list[str]:
    """Rule 9: an ACTIVE agreement (this one or another) grants a different receiver
    exclusivity over the lead's region or industry.

    The sender sees the reason; it names the agreement and the exclusive partner only
    when the sender is a party to that agreement (another partnership's terms are not
    its business), otherwise just the scope."""
    conflicts = []
    for agreement in sorted(agreements.all(), key=lambda a: a.agreement_id):
        if state_at(agreement, at) != ACTIVE:
            continue
        _, terms = terms_at(agreement, at)
        for grant in terms.exclusivity:
            if grant.partner_id == share.to_partner or not _covers(grant, lead):
                continue
            if role_of(agreement, share.from_partner) is None:
                conflicts.append(f"another partner has exclusivity over {_scope(grant)}")
            else:
                conflicts.append(
                    f"agreement {agreement.agreement_id} gives {grant.partner_id} exclusivity "
                    f"over {_scope(grant)}"
                )
    return conflicts


def _covers(grant: Exclusivity, lead: LeadState) -> bool:
    """A grant names a region, an industry or both; every named one must match."""
    if grant.region is None and grant.industry is None:
        return False
    region_ok = grant.region is None or grant.region.lower() == (lead.region or "").lower()
    industry_ok = grant.industry is None or grant.industry.lower() == (lead.industry or "").lower()
    return region_ok and industry_ok


def _scope(grant: Exclusivity) -> str:
    parts = [
        f"region {grant.region}" if grant.region else "",
        f"industry {grant.industry}" if grant.industry else "",
    ]
    return " and ".join(p for p in parts if p)
