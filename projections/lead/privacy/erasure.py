"""The right to be forgotten on the lead fold: ``ErasureRequested`` (issue 5).

The request is recorded on the lead (from then on it is erased: its personal data is
crypto-shredded by the shell once this state is written, and no new share is admitted)
with one deletion obligation per partner holding the lead's personal data, each with
an ``ERASURE_OVERDUE`` clock. The obligations reuse the termination-``delete``
machinery (``obligations.open_obligation``); ``ErasureConfirmed{request_id,
partner_id}`` settles one holder's.

Deadline for a holder: the regime's figure (GDPR 30 days, CCPA 45 days, the law's;
HIPAA has none, so ``policy.privacy.hipaa_erasure_days``, our choice) or the share's
agreement ``erasure_within_days``, whichever is stricter (shorter).
"""

from __future__ import annotations

from datetime import timedelta

from projections.history import iso_z
from projections.ids import derived_id
from projections.lead.partners import ErasureRequest, Share
from projections.lead.privacy.holders import holding_shares
from projections.lead.privacy.obligations import open_obligation
from projections.lead.sharing.emit import both
from projections.lead.step import Step
from projections.outcome import Refused
from projections.policy import Policy
from schemas.privacy_events import ErasureRequested

LAW_ERASURE_DAYS = {"GDPR": 30, "CCPA": 45}
"""The law's deadline for an erasure request (design/POLICY.md)."""


def regime_days(regime: str, policy: Policy) -> int:
    return LAW_ERASURE_DAYS.get(regime, policy.privacy.hipaa_erasure_days)


def erasure_days(regime: str, share: Share, policy: Policy) -> int:
    """The stricter of the regime's figure and the agreement's ``erasure_within_days``."""
    return min(regime_days(regime, policy), share.erasure_within_days)


def on_erasure_requested(step: Step, event: ErasureRequested) -> None:
    data = event.data
    if step.state.erasure is not None:
        raise Refused(
            f"lead {step.state.lead_id} is already erased (request {step.state.erasure.request_id})"
        )
    law_due = step.at + timedelta(days=regime_days(data.regime, step.policy))
    request = ErasureRequest(data.request_id, data.regime, step.at, law_due)
    step.log(
        "erasure", None, data.request_id, f"erasure requested under {data.regime}", erasure=request
    )
    for share in holding_shares(step.state):
        due_at = step.at + timedelta(days=erasure_days(data.regime, share, step.policy))
        obligation = open_obligation(
            step,
            share,
            "erasure_request",
            derived_id(step.state.lead_id, data.request_id, share.share_id),
            due_at,
            request_id=data.request_id,
            regime=data.regime,
        )
        both(
            step,
            share,
            "erasure_requested",
            details={
                "request_id": data.request_id,
                "regime": data.regime,
                "obligation_id": obligation.obligation_id,
                "erase_by": iso_z(due_at),
            },
        )
