"""Short builders of agreement and dispute events for tests.

``Agreement("AG1").proposed(T0)``, ``.signed(at(1), "gen")`` ...; ``fold`` applies a
list of events and returns the final outcome's state and everything emitted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.agreement.fold import advance_agreement, evolve_agreement
from projections.agreement.state import AgreementState
from projections.policy import Policy
from schemas.agreement_events import (
    AgreementAmended,
    AgreementAmendedData,
    AgreementProposed,
    AgreementProposedData,
    AgreementRenewed,
    AgreementRenewedData,
    AgreementSigned,
    AgreementSignedData,
    AgreementTerminated,
    AgreementTerminatedData,
    DisputeEscalated,
    DisputeOpened,
    DisputeOpenedData,
    DisputeResolved,
    DisputeStepData,
    Party,
    Terms,
)
from schemas.envelope import Envelope
from schemas.partner_system_events import ShareRecorded, ShareRecordedData

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = Policy()
PARTIES = (Party(partner_id="gen", role="generator"), Party(partner_id="rec", role="receiver"))


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def terms(**changes: Any) -> Terms:
    """Terms effective at T0, expiring after a year, with the given fields changed."""
    body: dict[str, Any] = {"effective_from": T0, "expires_at": at(365), **changes}
    return Terms.model_validate(body)


@dataclass
class Agreement:
    agreement_id: str = "AG1"
    counter: list[int] = field(default_factory=lambda: [0])

    def _env(self, kind: str, when: datetime, subject: str | None = None) -> dict[str, Any]:
        self.counter[0] += 1
        return {
            "event_id": f"{self.agreement_id}-{kind}-{self.counter[0]}",
            "subject": subject or self.agreement_id,
            "occurred_at": when,
            "source": "partner-portal",
            "actor": "legal@gen",
        }

    def proposed(
        self, when: datetime = T0, the_terms: Terms | None = None, parties: Iterable[Party] = ()
    ) -> AgreementProposed:
        data = AgreementProposedData(
            parties=list(parties) or list(PARTIES), terms=the_terms or terms()
        )
        return AgreementProposed(**self._env("proposed", when), data=data)

    def signed(self, when: datetime, partner: str, title: str | None = None) -> AgreementSigned:
        data = AgreementSignedData(partner_id=partner, signer=f"ceo@{partner}", title=title)
        return AgreementSigned(**self._env("signed", when), data=data)

    def signed_by_all(
        self, when: datetime, partners: Iterable[str] = ("gen", "rec")
    ) -> list[Envelope]:
        return [self.signed(when, p) for p in partners]

    def amended(self, when: datetime, the_terms: Terms) -> AgreementAmended:
        return AgreementAmended(
            **self._env("amended", when), data=AgreementAmendedData(terms=the_terms)
        )

    def renewed(self, when: datetime, expires_at: datetime) -> AgreementRenewed:
        data = AgreementRenewedData(expires_at=expires_at)
        return AgreementRenewed(**self._env("renewed", when), data=data)

    def terminated(
        self, when: datetime, partner: str = "gen", effective_at: datetime | None = None
    ) -> AgreementTerminated:
        data = AgreementTerminatedData(
            partner_id=partner, reason="strategy change", effective_at=effective_at or when
        )
        return AgreementTerminated(**self._env("terminated", when), data=data)

    def share(
        self, when: datetime, lead: str, status: str = "admitted", to: str = "rec"
    ) -> ShareRecorded:
        data = ShareRecordedData(
            lead_id=lead,
            share_event_id=f"share-{lead}",
            from_partner="gen",
            to_partner=to,
            status=status,
        )
        return ShareRecorded(**self._env("share", when), data=data)

    def dispute_opened(
        self, when: datetime, dispute: str = "D1", lead: str | None = None
    ) -> DisputeOpened:
        data = DisputeOpenedData(
            agreement_id=self.agreement_id, lead_id=lead, kind="commission", claim="unpaid"
        )
        return DisputeOpened(**self._env("opened", when, dispute), data=data)

    def dispute_escalated(
        self, when: datetime, dispute: str = "D1", step: str | None = None
    ) -> DisputeEscalated:
        return DisputeEscalated(
            **self._env("escalated", when, dispute), data=DisputeStepData(step=step)
        )

    def dispute_resolved(
        self, when: datetime, dispute: str = "D1", outcome: str = "paid in full"
    ) -> DisputeResolved:
        data = DisputeStepData(outcome=outcome)
        return DisputeResolved(**self._env("resolved", when, dispute), data=data)


def fold(
    events: Iterable[Envelope], until: datetime | None = None, policy: Policy = POLICY
) -> tuple[AgreementState | None, list[Envelope], list[str]]:
    """Apply the events in order (then advance to ``until``): state, emitted, rejections."""
    state: AgreementState | None = None
    emitted: list[Envelope] = []
    rejections: list[str] = []
    for event in events:
        outcome = evolve_agreement(state, event, policy)
        state = outcome.state
        emitted.extend(outcome.emitted)
        if outcome.rejection:
            rejections.append(outcome.rejection)
    if until is not None and state is not None:
        outcome = advance_agreement(state, until, policy)
        state = outcome.state
        emitted.extend(outcome.emitted)
    return state, emitted, rejections


def of_type(emitted: Iterable[Envelope], type_name: str) -> list[Any]:
    return [e for e in emitted if e.type == type_name]
