"""Builders for the lead side of partner sharing in unit tests.

Agreements are built as states directly (``signed_agreement``), so the sharing rules
are tested on their own; the agreement fold has its own tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from projections.agreement.state import AgreementBook, AgreementState, Signature, TermsVersion
from projections.lead.fold import LeadState, advance, evolve
from projections.policy import Policy
from schemas.agreement_events import (
    CommissionPaid,
    CommissionPaidData,
    LeadShared,
    LeadSharedData,
    PartnerResponded,
    PartnerRespondedData,
    Party,
    Terms,
)
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadCaptured,
    LeadCapturedData,
    OpportunityClosed,
    OpportunityClosedData,
    Person,
)
from schemas.partner_system_events import (
    PartnerActivity,
    SharedLeadReleased,
    SharedLeadReleasedData,
)
from schemas.privacy_events import (
    ConsentData,
    ConsentGiven,
    ConsentWithdrawn,
    ErasureConfirmed,
    ErasureConfirmedData,
    ErasureRequested,
    ErasureRequestedData,
)
from tests.support.leads import T0, at

__all__ = ["T0", "at"]


def terms(**changes: Any) -> Terms:
    body: dict[str, Any] = {"effective_from": T0 - timedelta(days=30), **changes}
    return Terms.model_validate(body)


def signed_agreement(
    agreement_id: str = "AG1",
    parties: tuple[tuple[str, str], ...] = (("gen", "generator"), ("rec", "receiver")),
    the_terms: Terms | None = None,
    signed: bool = True,
) -> AgreementState:
    """An agreement every party signed 30 days before T0 (unsigned: only proposed)."""
    chosen = the_terms or terms()
    when = T0 - timedelta(days=30)
    party_list = tuple(Party(partner_id=p, role=r) for p, r in parties)
    return AgreementState(
        agreement_id=agreement_id,
        parties=party_list,
        terms=chosen,
        terms_version=1,
        pending_terms=None,
        signed_by=frozenset(p for p, _ in parties) if signed else frozenset(),
        proposed_at=when,
        activated_at=when if signed else None,
        expires_at=chosen.expires_at,
        terminated_by=None,
        termination_effective_at=None,
        versions=(TermsVersion(1, chosen, when, when if signed else None),),
        signatures=tuple(Signature(p, f"ceo@{p}", None, when, 1) for p, _ in parties)
        if signed
        else (),
        status="ACTIVE" if signed else "PROPOSED",
    )


def book(*agreements: AgreementState) -> AgreementBook:
    return AgreementBook({a.agreement_id: a for a in agreements})


@dataclass
class SharedLead:
    lead_id: str = "L1"
    counter: list[int] = field(default_factory=lambda: [0])

    def env(self, kind: str, when: datetime, source: str = "p") -> dict[str, Any]:
        self.counter[0] += 1
        eid = f"{self.lead_id}-{kind}-{self.counter[0]}"
        return {"event_id": eid, "subject": self.lead_id, "occurred_at": when, "source": source}

    def captured(self, when: datetime = T0, by: str = "gen", **person: Any) -> LeadCaptured:
        """Captured by partner ``by``: the one that may share it."""
        facts = {"industry": "saas", "budget": 10000.0, "readiness": "now"}
        facts.update({k: person.pop(k) for k in list(person) if k in facts})
        body = {"email": "x@y.z", "job_title": "Head of Sales", "region": "EMEA", **person}
        return LeadCaptured(
            **self.env("captured", when, source=by),
            data=LeadCapturedData(person=Person(**body), **facts),
        )

    def consent(self, when: datetime, partner: str | None = None) -> ConsentGiven:
        data = ConsentData(purpose="sharing", partner_id=partner, regime="GDPR")
        return ConsentGiven(**self.env("consent", when), data=data)

    def shared(
        self,
        when: datetime,
        to: str = "rec",
        frm: str = "gen",
        ag: str = "AG1",
        source: str | None = None,
    ) -> LeadShared:
        """Published by ``source``, by default the sender itself."""
        data = LeadSharedData(agreement_id=ag, from_partner=frm, to_partner=to)
        return LeadShared(**self.env("shared", when, source=source or frm), data=data)

    def responded(
        self, when: datetime, partner: str = "rec", accepted: bool = True
    ) -> PartnerResponded:
        data = PartnerRespondedData(partner_id=partner, accepted=accepted)
        return PartnerResponded(**self.env("responded", when), data=data)

    def won(self, when: datetime, amount: float = 20000.0, won: bool = True) -> OpportunityClosed:
        data = OpportunityClosedData(opportunity_id="O1", won=won, amount=amount, currency="EUR")
        return OpportunityClosed(**self.env("won", when), data=data)

    def paid(
        self, when: datetime, amount: float, ag: str = "AG1", currency: str = "EUR"
    ) -> CommissionPaid:
        data = CommissionPaidData(agreement_id=ag, amount=amount, currency=currency)
        return CommissionPaid(**self.env("paid", when), data=data)

    def released(
        self, when: datetime, to: str = "rec", handling: str = "return"
    ) -> SharedLeadReleased:
        data = SharedLeadReleasedData(
            agreement_id="AG1",
            to_partner=to,
            handling=handling,
            effective_at=when,
            erasure_within_days=30,
        )
        return SharedLeadReleased(**self.env("released", when), data=data)

    def withdrawn(
        self, when: datetime, partner: str | None = None, purpose: str = "sharing"
    ) -> ConsentWithdrawn:
        data = ConsentData(purpose=purpose, partner_id=partner, regime="GDPR")
        return ConsentWithdrawn(**self.env("withdrawn", when), data=data)

    def erasure_requested(
        self, when: datetime, request_id: str = "R1", regime: str = "GDPR"
    ) -> ErasureRequested:
        data = ErasureRequestedData(request_id=request_id, regime=regime)
        return ErasureRequested(**self.env("erasure", when), data=data)

    def erased(self, when: datetime, request_id: str, partner: str = "rec") -> ErasureConfirmed:
        data = ErasureConfirmedData(request_id=request_id, partner_id=partner)
        return ErasureConfirmed(**self.env("erased", when), data=data)


@dataclass
class Run:
    state: LeadState | None
    emitted: list[Envelope]
    rejections: list[str]

    @property
    def lead(self) -> LeadState:
        assert self.state is not None
        return self.state

    def of_type(self, name: str) -> list[Any]:
        return [e for e in self.emitted if e.type == name]

    def activities(self, partner: str | None = None) -> list[PartnerActivity]:
        found = [e for e in self.emitted if isinstance(e, PartnerActivity)]
        return [a for a in found if partner is None or a.subject == partner]

    def escalations(self) -> list[tuple[str, datetime, list[str]]]:
        return [
            (e.data.rule, e.data.due_at, e.data.notify) for e in self.of_type("EscalationRaised")
        ]


def run(
    events: list[Envelope],
    agreements: AgreementBook | None = None,
    until: datetime | None = None,
    policy: Policy | None = None,
) -> Run:
    policy = policy or Policy()
    lookup = agreements if agreements is not None else book(signed_agreement())
    state: LeadState | None = None
    emitted: list[Envelope] = []
    rejections: list[str] = []
    for event in events:
        outcome = evolve(state, event, policy, lookup)
        state = outcome.state
        emitted.extend(outcome.emitted)
        if outcome.rejection:
            rejections.append(outcome.rejection)
    if until is not None and state is not None:
        outcome = advance(state, until, policy)
        state = outcome.state
        emitted.extend(outcome.emitted)
    return Run(state, emitted, rejections)
