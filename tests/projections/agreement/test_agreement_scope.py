"""An external partner (admission's ``source_kind``) amends, renews or disputes only
agreements it is party to; the fold decides it from the record log alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from projections.agreement.fold import evolve_agreement
from projections.dispute.fold import evolve_dispute
from projections.policy import Policy
from schemas.agreement_events import (
    AgreementRenewed,
    AgreementRenewedData,
    DisputeOpened,
    DisputeOpenedData,
)
from tests.support.partners import T0, book, signed_agreement


def renewal(source: str, kind: Literal["internal", "external"] | None) -> AgreementRenewed:
    return AgreementRenewed(
        event_id=f"renew-{source}-{kind}",
        subject="AG1",
        occurred_at=T0,
        source=source,
        source_kind=kind,
        data=AgreementRenewedData(expires_at=T0 + timedelta(days=400)),
    )


def test_a_stranger_may_not_renew_but_a_party_and_an_operator_may() -> None:
    agreement = signed_agreement()
    stranger = evolve_agreement(agreement, renewal("globex", "external"), Policy())
    assert stranger.rejection is not None
    assert "globex" in stranger.rejection
    assert "not a party to agreement AG1" in stranger.rejection
    assert evolve_agreement(agreement, renewal("gen", "external"), Policy()).rejection is None
    assert evolve_agreement(agreement, renewal("legal", None), Policy()).rejection is None


def test_a_stranger_may_not_open_a_dispute_on_someone_elses_agreement() -> None:
    def opened(source: str) -> DisputeOpened:
        return DisputeOpened(
            event_id=f"d-{source}",
            subject=f"D-{source}",
            occurred_at=T0,
            source=source,
            source_kind="external",
            data=DisputeOpenedData(agreement_id="AG1", kind="commission", claim="unpaid"),
        )

    agreements = book(signed_agreement())
    refused = evolve_dispute(None, opened("globex"), Policy(), agreements)
    assert refused.state is None
    assert refused.rejection is not None
    assert "globex" in refused.rejection
    assert evolve_dispute(None, opened("gen"), Policy(), agreements).rejection is None
