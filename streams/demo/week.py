"""A partner week: two partners, one agreement, 200 leads through the funnel.

The leads are captured from seven days before ``now`` on; every time is a function of
``now``, so the SLA clocks are already overdue when the events reach the worker and it
raises the breaches within seconds. A run tag in every id lets the demo run again
beside an earlier run (an event id names one event forever).

The 200 leads, by their number ``i``:

====== ======================================================================
0-39   nurtured: one or two activities, never an MQL (lead 35 is erased; lead 30
       is shared with too low a score and no consent: the refused share)
40-49  MQLs nobody assigned: ``MQL_NOT_ASSIGNED`` breaches
50-61  MQLs of the last 40 hours, assigned, not decided: open ``MQL_NOT_ACCEPTED``
62-69  MQLs assigned and never decided: ``MQL_NOT_ACCEPTED`` breaches
70-199 MQLs assigned and decided 2-41 hours later: SAL (most), DISQUALIFIED (every
       10th), REMARKET (every 13th); every 5th SAL goes on to SQL, and a SQL shared
       with fabrikam and accepted converts
70-99  also shared with fabrikam: 70-87 accepted (84 and 85 after the 24-hour
       response window), 88-92 declined, 93-99 never answered
====== ======================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from schemas.agreement_events import (
    AgreementProposed,
    AgreementProposedData,
    AgreementSigned,
    AgreementSignedData,
    KpiTerms,
    LeadShared,
    LeadSharedData,
    PartnerResponded,
    PartnerRespondedData,
    Party,
    QualificationTerms,
    ResponseTerms,
    RevenueShareTerms,
    Terms,
)
from schemas.envelope import Envelope
from schemas.lead_events import (
    LeadActivity,
    LeadActivityData,
    LeadAssigned,
    LeadAssignedData,
    LeadCaptured,
    LeadCapturedData,
    LeadConverted,
    LeadConvertedData,
    LeadStatusChanged,
    LeadStatusChangedData,
    Person,
)
from schemas.privacy_events import (
    ConsentData,
    ConsentGiven,
    ErasureRequested,
    ErasureRequestedData,
)

GENERATOR, RECEIVER = "northwind", "fabrikam"
CRM = "crm"  # the own organisation's CRM: assignments and sales decisions
REPS = ("rep-ana", "rep-ben", "rep-cho", "rep-dev")
LEADS = 200
INDUSTRIES = ("saas", "fintech", "retail", "health")
RESPONSE_HOURS = 24
ERASED, REFUSED_SHARE = 35, 30


@dataclass
class Week:
    """The demo's events: agreements first (shares wait for them), then the leads."""

    run: str
    now: datetime
    agreement_id: str
    agreement_events: list[Envelope] = field(default_factory=list)
    lead_events: list[Envelope] = field(default_factory=list)

    def lead_id(self, i: int) -> str:
        return f"demo-{self.run}-lead-{i:03d}"


def partner_week(now: datetime, run: str) -> Week:
    week = Week(run=run, now=now.replace(microsecond=0), agreement_id=f"AG-DEMO-{run}")
    _agreement(week)
    for i in range(LEADS):
        _lead(week, i)
    # In time order, as a week of traffic arrives (one lead's events stay in its order).
    week.lead_events.sort(key=lambda e: e.occurred_at)
    return week


def _event(
    week: Week, cls: type[Envelope], subject: str, at: datetime, name: str, **kw: Any
) -> Envelope:
    # The subject carries the run tag already: ids stay unique across runs.
    return cls(event_id=f"{subject}-{name}", subject=subject, occurred_at=at, **kw)


def _agreement(week: Week) -> None:
    start = week.now - timedelta(days=30)
    terms = Terms(
        effective_from=start,
        expires_at=start + timedelta(days=365),
        qualification=QualificationTerms(min_score=40),
        response=ResponseTerms(accept_within_hours=RESPONSE_HOURS),
        revenue_share=RevenueShareTerms(model="percent", rate=10, currency="EUR"),
        kpis=KpiTerms(min_conversion_rate=0.3, max_follow_up_hours=12),
    )
    parties = [
        Party(partner_id=GENERATOR, role="generator"),
        Party(partner_id=RECEIVER, role="receiver"),
    ]
    subject = week.agreement_id
    week.agreement_events.append(
        _event(
            week,
            AgreementProposed,
            subject,
            start,
            "proposed",
            source="partner-portal",
            data=AgreementProposedData(parties=parties, terms=terms),
        )
    )
    for n, partner in enumerate((GENERATOR, RECEIVER), start=1):
        week.agreement_events.append(
            _event(
                week,
                AgreementSigned,
                subject,
                start + timedelta(hours=n),
                f"signed-{partner}",
                source="partner-portal",
                data=AgreementSignedData(partner_id=partner, signer=f"ceo@{partner}", title="CEO"),
            )
        )


def _captured_at(week: Week, i: int) -> datetime:
    if 50 <= i <= 61:  # undecided MQLs of the last 40 hours: their clocks still run
        return week.now - timedelta(hours=40) + timedelta(hours=3 * (i - 50))
    # the rest from 7 days ago on, every 25 minutes: all decided well before now
    return week.now - timedelta(days=7) + timedelta(minutes=30 + 25 * i)


def _lead(week: Week, i: int) -> None:
    lead = week.lead_id(i)
    at = _captured_at(week, i)
    out = week.lead_events

    def add(
        cls: type[Envelope], when: datetime, name: str, source: str = GENERATOR, **kw: Any
    ) -> None:
        out.append(_event(week, cls, lead, when, name, source=source, **kw))

    person = Person(
        email=f"buyer{i:03d}@example.com", job_title="Head of IT", country="DE", region="EMEA"
    )
    add(
        LeadCaptured,
        at,
        "captured",
        data=LeadCapturedData(
            person=person, industry=INDUSTRIES[i % 4], budget=5000.0 + 100 * i, readiness="3m"
        ),
    )
    activities = (
        ["web_visit"]
        if i < 20
        else ["web_visit", "email_click"]
        if i < 40
        else ["demo_request", "request_quote", "content_download"]
    )
    for n, activity in enumerate(activities, start=1):
        add(
            LeadActivity,
            at + timedelta(minutes=5 * n),
            f"activity-{n}",
            data=LeadActivityData(activity=activity),
        )
    if i == REFUSED_SHARE:  # too low a score, no consent: the agreement refuses it
        add(LeadShared, at + timedelta(hours=1), "shared", data=_share(week))
    if i == ERASED:
        add(
            ErasureRequested,
            week.now - timedelta(hours=1),
            "erasure",
            data=ErasureRequestedData(request_id=f"demo-{week.run}-erasure-{i}", regime="GDPR"),
        )
    if i < 50:
        return  # nurtured, or an MQL nobody assigned
    owner = REPS[i % len(REPS)]
    assigned = at + timedelta(minutes=45)
    add(
        LeadAssigned,
        assigned,
        "assigned",
        source=CRM,
        actor="routing",
        data=LeadAssignedData(owner=owner, team="sales"),
    )
    if 70 <= i <= 99:
        _share_story(week, i, add, at)
    if i < 70:
        return  # assigned and not (yet) decided
    decided = assigned + timedelta(hours=2 + (i * 7) % 40)
    decision = "DISQUALIFIED" if i % 10 == 0 else "REMARKET" if i % 13 == 0 else "SAL"
    add(
        LeadStatusChanged,
        decided,
        "decided",
        source=CRM,
        actor=owner,
        data=LeadStatusChangedData(to=decision, reason="no budget" if decision != "SAL" else None),
    )
    if decision == "SAL" and (i % 5 == 0 or 70 <= i <= 79):
        add(
            LeadStatusChanged,
            decided + timedelta(hours=20),
            "sql",
            source=CRM,
            actor=owner,
            data=LeadStatusChangedData(to="SQL"),
        )
        if 70 <= i <= 79:  # accepted by fabrikam and converted: its conversion KPI
            add(
                LeadConverted,
                decided + timedelta(hours=30),
                "converted",
                source=CRM,
                data=LeadConvertedData(contact_id=f"C-{i}", account_id=f"A-{i}"),
            )


def _share(week: Week) -> LeadSharedData:
    return LeadSharedData(
        agreement_id=week.agreement_id, from_partner=GENERATOR, to_partner=RECEIVER
    )


def _share_story(week: Week, i: int, add: Any, at: datetime) -> None:
    add(
        ConsentGiven,
        at + timedelta(minutes=20),
        "consent",
        data=ConsentData(purpose="sharing", partner_id=None, regime="GDPR"),
    )
    shared = at + timedelta(minutes=50)
    add(LeadShared, shared, "shared", data=_share(week))
    if i >= 93:
        return  # never answered: PARTNER_NOT_RESPONDED
    accepted = i <= 87
    hours = 30 if i in (84, 85) else 1 + (i % 9)
    add(
        PartnerResponded,
        shared + timedelta(hours=hours),
        "response",
        source=RECEIVER,
        data=PartnerRespondedData(
            partner_id=RECEIVER,
            accepted=accepted,
            reason=None if accepted else "outside our territory",
        ),
    )
