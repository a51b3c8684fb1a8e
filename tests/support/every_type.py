"""One partner scenario that publishes every event type a partner may publish, each
applied by the worker (replay refuses none of them), for tests of the wire format.

``tag`` makes the ids (agreement, leads, dispute, partners) the scenario's own, so it
can run next to other tests on one worker. Times are a few hours before ``now``: one
lead is left an MQL nobody took, so its ``MQL_NOT_ASSIGNED`` clock is overdue at once
and the worker raises an ``EscalationRaised`` (every MQL also raises a
``NotificationRaised``); no other clock is due for weeks, so the live worker, which
sees the events run by run, raises what a replay of the whole scenario raises.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from projections.replay import KIND_OF
from schemas.envelope import Envelope
from schemas.events import Event, parse_event


def every_partner_type(tag: str, now: datetime | None = None) -> list[Event]:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    start = now - timedelta(hours=3)
    gen, rec = f"gen-{tag}", f"rec-{tag}"
    agreement, lead, idle, dispute = f"AG-{tag}", f"L-{tag}", f"L-{tag}-idle", f"D-{tag}"
    counter = iter(range(1, 100))

    def event(kind: str, subject: str, minutes: float, source: str, data: dict[str, Any]) -> Event:
        return parse_event(
            {
                "event_id": f"{tag}-{next(counter):02d}-{kind}",
                "type": kind,
                "subject": subject,
                "occurred_at": start + timedelta(minutes=minutes),
                "source": source,
                "actor": None,
                "data": data,
            }
        )

    terms = {
        "privacy": {"regimes": ["GDPR"], "require_consent": True},
        "effective_from": start - timedelta(days=1),
        "expires_at": start + timedelta(days=365),
        "revenue_share": {"model": "percent", "rate": 10, "currency": "EUR"},
        "disputes": {"steps": ["negotiation", "mediation"], "step_days": 14},
    }
    person = {"email": f"cto@{tag}.example", "country": "DE", "region": "EMEA"}
    captured = {"person": person, "industry": "saas", "budget": 20000.0, "readiness": "now"}
    portal = "partner-portal"
    return [
        event(
            "AgreementProposed",
            agreement,
            0,
            portal,
            {
                "parties": [
                    {"partner_id": gen, "role": "generator"},
                    {"partner_id": rec, "role": "receiver"},
                ],
                "terms": terms,
            },
        ),
        event("AgreementSigned", agreement, 1, portal, {"partner_id": gen, "signer": f"ceo@{gen}"}),
        event("AgreementSigned", agreement, 2, portal, {"partner_id": rec, "signer": f"ceo@{rec}"}),
        event("AgreementAmended", agreement, 3, portal, {"terms": terms | {"auto_renew": True}}),
        event(
            "AgreementRenewed", agreement, 4, portal, {"expires_at": start + timedelta(days=730)}
        ),
        event("LeadCaptured", lead, 10, gen, captured),
        event("ConsentGiven", lead, 11, gen, {"purpose": "sharing", "regime": "GDPR"}),
        event("LeadActivity", lead, 12, gen, {"activity": "demo_request", "points": 80}),
        event("LeadAssigned", lead, 13, gen, {"owner": f"rep-{tag}", "team": "sales"}),
        event("LeadScoreAdjusted", lead, 14, gen, {"points": 5, "reason": "webinar"}),
        event("LeadStatusChanged", lead, 15, gen, {"to": "SAL"}),
        event("LeadStatusChanged", lead, 15.5, gen, {"to": "SQL"}),
        event(
            "LeadShared",
            lead,
            16,
            gen,
            {"agreement_id": agreement, "from_partner": gen, "to_partner": rec},
        ),
        event("PartnerResponded", lead, 17, rec, {"partner_id": rec, "accepted": True}),
        event(
            "LeadConverted",
            lead,
            18,
            rec,
            {"contact_id": f"C-{tag}", "account_id": f"A-{tag}", "opportunity_id": f"O-{tag}"},
        ),
        event(
            "OpportunityClosed",
            lead,
            19,
            rec,
            {"opportunity_id": f"O-{tag}", "won": True, "amount": 50000.0, "currency": "EUR"},
        ),
        event(
            "CommissionPaid",
            lead,
            20,
            rec,
            {"agreement_id": agreement, "amount": 5000.0, "currency": "EUR"},
        ),
        event("ConsentWithdrawn", lead, 21, gen, {"purpose": "sharing", "regime": "GDPR"}),
        event("ErasureRequested", lead, 22, gen, {"request_id": f"R-{tag}", "regime": "GDPR"}),
        event("ErasureConfirmed", lead, 23, rec, {"request_id": f"R-{tag}", "partner_id": rec}),
        event("LeadCaptured", idle, 24, gen, captured | {"person": person | {"country": "FR"}}),
        event("LeadActivity", idle, 25, gen, {"activity": "contact_us", "points": 80}),
        event(
            "DisputeOpened",
            dispute,
            30,
            portal,
            {
                "agreement_id": agreement,
                "lead_id": lead,
                "kind": "commission",
                "claim": "late",
            },
        ),
        event("DisputeEscalated", dispute, 31, portal, {"step": "mediation"}),
        event("DisputeResolved", dispute, 32, portal, {"outcome": "credit note"}),
        event(
            "AgreementTerminated",
            agreement,
            33,
            portal,
            {"partner_id": gen, "reason": "strategy change", "effective_at": start},
        ),
    ]


def intake_of(event: Envelope) -> str:
    """The intake topic (suffix) a partner publishes the event to."""
    return "leads" if KIND_OF.get(type(event)) == "lead" else "agreements"
