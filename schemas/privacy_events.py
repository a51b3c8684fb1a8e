"""Consent and erasure events (``subject`` = lead id)."""

from __future__ import annotations

from typing import Literal

from schemas.agreement_events import Regime
from schemas.envelope import Envelope, Model, NonEmpty

Purpose = Literal["marketing", "sharing", "profiling"]


class ConsentData(Model):
    purpose: Purpose
    partner_id: str | None = None
    regime: Regime


class ConsentGiven(Envelope):
    type: Literal["ConsentGiven"] = "ConsentGiven"
    data: ConsentData


class ConsentWithdrawn(Envelope):
    type: Literal["ConsentWithdrawn"] = "ConsentWithdrawn"
    data: ConsentData


class ErasureRequestedData(Model):
    request_id: NonEmpty
    regime: Regime


class ErasureRequested(Envelope):
    type: Literal["ErasureRequested"] = "ErasureRequested"
    data: ErasureRequestedData


class ErasureConfirmedData(Model):
    request_id: NonEmpty
    partner_id: NonEmpty


class ErasureConfirmed(Envelope):
    type: Literal["ErasureConfirmed"] = "ErasureConfirmed"
    data: ErasureConfirmedData
