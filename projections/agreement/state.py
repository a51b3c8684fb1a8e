"""The agreement aggregate's state, and the questions other folds ask of it.

``state_at``, ``terms_at``, ``role_of`` and ``nda_unsigned`` answer from the recorded
facts only (signatures, effective dates, expiry, termination), never from which clocks
have fired: a share is judged on its own event time, whatever the live timer did, so
live and replay decide alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from projections.history import Change, Clock, Escalation
from schemas.agreement_events import Party, Terms

PROPOSED, ACTIVE, EXPIRED, TERMINATED = "PROPOSED", "ACTIVE", "EXPIRED", "TERMINATED"
OUTSTANDING = frozenset({"admitted", "accepted"})
"""Share statuses whose lead is still with the receiver (released at termination)."""


@dataclass(frozen=True, slots=True)
class TermsVersion:
    """One version of the terms; in force from ``max(signed_at, effective_from)``."""

    version: int
    terms: Terms
    proposed_at: datetime
    signed_at: datetime | None  # when the last party signed it; None while pending

    @property
    def in_force_from(self) -> datetime | None:
        if self.signed_at is None:
            return None
        return max(self.signed_at, self.terms.effective_from)


@dataclass(frozen=True, slots=True)
class Signature:
    partner_id: str
    signer: str
    title: str | None
    at: datetime
    terms_version: int


@dataclass(frozen=True, slots=True)
class AgreementState:
    agreement_id: str
    parties: tuple[Party, ...]
    terms: Terms  # the newest fully signed version (version 1 until then)
    terms_version: int
    pending_terms: Terms | None  # an amendment awaiting every party's signature
    signed_by: frozenset[str]  # who signed the current (or pending) version
    proposed_at: datetime
    activated_at: datetime | None  # when it first became ACTIVE (set by the fold)
    expires_at: datetime | None  # moved by AgreementRenewed and by auto-renewal
    terminated_by: str | None
    termination_effective_at: datetime | None
    clocks: tuple[Clock, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    history: tuple[Change, ...] = ()
    seen: frozenset[str] = field(default_factory=frozenset)
    # event id -> content digest of what was applied (projections/idempotency.py)
    digests: Mapping[str, str] = field(default_factory=dict, hash=False)  # a dict: unhashable
    proposed_by: str = ""  # the document owner: the proposer's actor, else its source
    versions: tuple[TermsVersion, ...] = ()
    signatures: tuple[Signature, ...] = ()
    # (lead_id, to_partner) -> (status, terms version it was shared under), for the
    # shares still out (and those released at the end). A dict, so recording one share
    # costs a C-level copy, not a Python loop over every share.
    shares: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    status: str = PROPOSED  # as of the last event or clock the fold applied

    @property
    def shared_leads(self) -> tuple[tuple[str, str, str], ...]:
        """(lead_id, to_partner, status) of the shares still out, or released, by lead.

        Sorted, not in the order the agreement heard of them: that order is the order
        the leads' commands arrived in, which differs between the live worker and a
        replay on event time (issue 17)."""
        return tuple((lead, to, status) for (lead, to), (status, _) in sorted(self.shares.items()))

    @property
    def share_versions(self) -> tuple[tuple[str, str, int], ...]:
        """(lead_id, to_partner, terms version) of the same shares, in the same order."""
        return tuple((lead, to, v) for (lead, to), (_, v) in sorted(self.shares.items()))


def party_ids(agreement: AgreementState) -> list[str]:
    return sorted(p.partner_id for p in agreement.parties)


def role_of(agreement: AgreementState, partner_id: str) -> str | None:
    """``generator``, ``receiver``, ``both``, or None for a partner that is no party."""
    return next((p.role for p in agreement.parties if p.partner_id == partner_id), None)


def terms_at(agreement: AgreementState, at: datetime) -> tuple[int, Terms]:
    """The version and terms in force at ``at``; before any is, the first proposed one.

    A share keeps the version in force when it was made (leads shared under old terms
    keep those terms); an amendment governs only what comes after its last signature.
    """
    in_force = [v for v in agreement.versions if v.in_force_from and v.in_force_from <= at]
    chosen = in_force[-1] if in_force else agreement.versions[0]
    return chosen.version, chosen.terms


def active_from(agreement: AgreementState) -> datetime | None:
    """When the agreement first came into force: the earliest version in force."""
    starts = [v.in_force_from for v in agreement.versions if v.in_force_from is not None]
    return min(starts) if starts else None


def renews(terms: Terms) -> bool:
    """Whether these terms renew themselves at expiry: ``auto_renew`` with a term length
    (``expires_at``) to renew for."""
    return terms.auto_renew and terms.expires_at is not None


def ended_at(agreement: AgreementState) -> tuple[str, datetime] | None:
    """How and when the agreement ends, as far as recorded: the earlier of expiry
    (only without auto-renewal, judged on the terms in force at expiry) and termination."""
    ends: list[tuple[datetime, str]] = []
    if agreement.expires_at is not None:
        _, terms = terms_at(agreement, agreement.expires_at)
        if not renews(terms):
            ends.append((agreement.expires_at, EXPIRED))
    if agreement.termination_effective_at is not None:
        ends.append((agreement.termination_effective_at, TERMINATED))
    if not ends:
        return None
    when, how = min(ends)
    return how, when


def state_at(agreement: AgreementState, at: datetime) -> str:
    """PROPOSED, ACTIVE, EXPIRED or TERMINATED at ``at``, from the recorded facts only."""
    end = ended_at(agreement)
    if end is not None and at >= end[1]:
        return end[0]
    start = active_from(agreement)
    return ACTIVE if start is not None and start <= at else PROPOSED


def nda_unsigned(agreement: AgreementState, at: datetime) -> list[str]:
    """Parties that have not accepted the NDA at ``at`` (empty when none is required).

    Reading chosen (design rule 4): the NDA is part of the agreement, so signing the
    agreement accepts it; an ``AgreementSigned`` title is kept but informative only.
    Once a version is in force every party has signed it; before that, the parties
    that have not yet signed the proposed version are named.
    """
    version, terms = terms_at(agreement, at)
    if not terms.nda_required:
        return []
    if any(v.in_force_from and v.in_force_from <= at for v in agreement.versions):
        return []
    signed = {
        s.partner_id for s in agreement.signatures if s.at <= at and s.terms_version == version
    }
    return [p for p in party_ids(agreement) if p not in signed]


def outstanding_leads(agreement: AgreementState) -> list[tuple[str, str]]:
    """(lead_id, to_partner) of every share still with its receiver, by lead (see
    ``shared_leads``: the end releases them, and logs it, in an order live and replay
    share)."""
    return sorted(key for key, (status, _) in agreement.shares.items() if status in OUTSTANDING)


class AgreementLookup(Protocol):
    """Every agreement a fold may consult (exclusivity spans agreements)."""

    def get(self, agreement_id: str) -> AgreementState | None: ...

    def all(self) -> Iterable[AgreementState]: ...


class AgreementBook:
    """An ``AgreementLookup`` over a plain dict; the worker's global book and replay's."""

    def __init__(self, agreements: dict[str, AgreementState] | None = None) -> None:
        self._agreements: dict[str, AgreementState] = dict(agreements or {})

    def get(self, agreement_id: str) -> AgreementState | None:
        return self._agreements.get(agreement_id)

    def all(self) -> Iterable[AgreementState]:
        return list(self._agreements.values())

    def put(self, agreement: AgreementState) -> None:
        self._agreements[agreement.agreement_id] = agreement

    def __len__(self) -> int:
        return len(self._agreements)

    def __iter__(self) -> Iterator[str]:
        return iter(self._agreements)


EMPTY_BOOK: AgreementLookup = AgreementBook()
"""No agreements: the default for folds that are given none."""
