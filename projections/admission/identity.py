"""The fields that name a partner, which must name the publisher.

A partner speaks only for itself: the ``source`` it claims, the signer, the responder,
the partner sharing, the partner confirming an erasure, the partner terminating must
each be the identity the system authenticated; a proposal must count the publisher
among its parties. (The payer of ``CommissionPaid`` is not in the event: it is the
receiver of the lead's share, which the lead fold checks against ``source``.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.agreement_events import (
    AgreementProposed,
    AgreementSigned,
    AgreementTerminated,
    LeadShared,
    PartnerResponded,
)
from schemas.envelope import Envelope
from schemas.privacy_events import ErasureConfirmed

NAMING_FIELDS: dict[type[Envelope], tuple[str, Callable[[Any], str]]] = {
    AgreementSigned: ("data.partner_id", lambda e: e.data.partner_id),
    AgreementTerminated: ("data.partner_id", lambda e: e.data.partner_id),
    PartnerResponded: ("data.partner_id", lambda e: e.data.partner_id),
    LeadShared: ("data.from_partner", lambda e: e.data.from_partner),
    ErasureConfirmed: ("data.partner_id", lambda e: e.data.partner_id),
}
"""Event type -> the field that names who acts, which must be the publisher."""


def identity_reasons(event: Envelope, publisher: str) -> list[str]:
    """Every field of ``event`` that claims another partner than ``publisher``."""
    reasons = []
    if event.source != publisher:
        reasons.append(
            f"source names {event.source}, but the publisher is {publisher} "
            f"(authenticated): a partner publishes only as itself"
        )
    naming = NAMING_FIELDS.get(type(event))
    if naming is not None:
        field, named = naming
        if (claimed := named(event)) != publisher:
            reasons.append(
                f"{event.type}.{field} names {claimed}, but the publisher is {publisher} "
                f"(authenticated): a partner speaks only for itself"
            )
    if isinstance(event, AgreementProposed):
        parties = [p.partner_id for p in event.data.parties]
        if publisher not in parties:
            reasons.append(
                f"AgreementProposed.data.parties names {', '.join(parties)}, but not the "
                f"publisher {publisher} (authenticated): a partner proposes only "
                f"agreements it is party to"
            )
    return reasons
