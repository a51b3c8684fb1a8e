"""The agreement state as compact JSON (the Faust table's format) and as its view.

``to_view`` is the one body of ``GET /agreements/{id}`` and ``replay --agreement``,
so the live worker and an auditor's replay answer alike.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from projections.agreement.state import AgreementState, Signature, TermsVersion, state_at
from projections.history import Change, Clock, Escalation, change_view, iso_z
from schemas.agreement_events import Party, Terms


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _terms(terms: Terms | None) -> Any:
    return terms.model_dump(mode="json") if terms is not None else None


def agreement_to_json(state: AgreementState) -> bytes:
    body: dict[str, Any] = {
        "id": state.agreement_id,
        "parties": [p.model_dump(mode="json") for p in state.parties],
        "terms": _terms(state.terms),
        "terms_version": state.terms_version,
        "pending_terms": _terms(state.pending_terms),
        "signed_by": sorted(state.signed_by),
        "proposed_at": state.proposed_at.isoformat(),
        "activated_at": _time(state.activated_at),
        "expires_at": _time(state.expires_at),
        "terminated_by": state.terminated_by,
        "termination_effective_at": _time(state.termination_effective_at),
        "clocks": [
            [c.rule, c.clock_id, c.started_at.isoformat(), c.due_at.isoformat(), c.policy_version]
            for c in state.clocks
        ],
        "escalations": [
            [e.escalation_id, e.rule, e.clock_id, e.due_at.isoformat()] for e in state.escalations
        ],
        "shared_leads": [list(s) for s in state.shared_leads],
        "history": [
            [c.at.isoformat(), c.kind, c.before, c.after, c.cause, c.rule] for c in state.history
        ],
        "seen": sorted(state.seen),
        "digests": dict(state.digests),
        "proposed_by": state.proposed_by,
        "versions": [
            [v.version, _terms(v.terms), v.proposed_at.isoformat(), _time(v.signed_at)]
            for v in state.versions
        ],
        "signatures": [
            [s.partner_id, s.signer, s.title, s.at.isoformat(), s.terms_version]
            for s in state.signatures
        ],
        "share_versions": [list(s) for s in state.share_versions],
        "status": state.status,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def agreement_from_json(raw: bytes) -> AgreementState:
    body = json.loads(raw)
    pending = body["pending_terms"]
    return AgreementState(
        agreement_id=body["id"],
        parties=tuple(Party.model_validate(p) for p in body["parties"]),
        terms=Terms.model_validate(body["terms"]),
        terms_version=body["terms_version"],
        pending_terms=Terms.model_validate(pending) if pending is not None else None,
        signed_by=frozenset(body["signed_by"]),
        proposed_at=datetime.fromisoformat(body["proposed_at"]),
        activated_at=_parse(body["activated_at"]),
        expires_at=_parse(body["expires_at"]),
        terminated_by=body["terminated_by"],
        termination_effective_at=_parse(body["termination_effective_at"]),
        clocks=tuple(
            Clock(r, i, datetime.fromisoformat(s), datetime.fromisoformat(d), v)
            for r, i, s, d, v in body["clocks"]
        ),
        escalations=tuple(
            Escalation(i, r, c, datetime.fromisoformat(d)) for i, r, c, d in body["escalations"]
        ),
        history=tuple(
            Change(datetime.fromisoformat(a), k, b, f, c, r) for a, k, b, f, c, r in body["history"]
        ),
        seen=frozenset(body["seen"]),
        digests=body.get("digests", {}),  # a state stored before digests: none
        proposed_by=body["proposed_by"],
        versions=tuple(
            TermsVersion(n, Terms.model_validate(t), datetime.fromisoformat(p), _parse(s))
            for n, t, p, s in body["versions"]
        ),
        signatures=tuple(
            Signature(p, who, title, datetime.fromisoformat(at), n)
            for p, who, title, at, n in body["signatures"]
        ),
        shares=_shares(body["shared_leads"], body["share_versions"]),
        status=body["status"],
    )


def _shares(
    statuses: list[list[str]], versions: list[list[Any]]
) -> dict[tuple[str, str], tuple[str, int]]:
    version_of = {(lead, to): n for lead, to, n in versions}
    return {(lead, to): (status, version_of[(lead, to)]) for lead, to, status in statuses}


def _z(value: datetime | None) -> str | None:
    return iso_z(value) if value else None


def to_view(state: AgreementState, at: datetime) -> dict[str, Any]:
    """The JSON answer of ``GET /agreements/{id}``; ``state`` is ``state_at(at)``."""
    return {
        "agreement_id": state.agreement_id,
        "state": state_at(state, at),
        "parties": [p.model_dump(mode="json") for p in state.parties],
        "signed_by": sorted(state.signed_by),
        "signatures": [
            {
                "partner_id": s.partner_id,
                "signer": s.signer,
                "title": s.title,
                "at": iso_z(s.at),
                "terms_version": s.terms_version,
            }
            for s in state.signatures
        ],
        "terms_version": state.terms_version,
        "terms": _terms(state.terms),
        "pending_terms": _terms(state.pending_terms),
        "proposed_by": state.proposed_by,
        "proposed_at": iso_z(state.proposed_at),
        "activated_at": _z(state.activated_at),
        "expires_at": _z(state.expires_at),
        "terminated_by": state.terminated_by,
        "termination_effective_at": _z(state.termination_effective_at),
        "shared_leads": [
            {"lead_id": lead, "to_partner": to, "status": status}
            for lead, to, status in state.shared_leads
        ],
        "open_clocks": [
            {"rule": c.rule, "clock_id": c.clock_id, "due_at": iso_z(c.due_at)}
            for c in state.clocks
        ],
        "escalations": [
            {"rule": e.rule, "due_at": iso_z(e.due_at), "escalation_id": e.escalation_id}
            for e in state.escalations
        ],
        "history": [change_view(c) for c in state.history],
    }
