"""A realistic, deterministic workload: leads moving through the funnel, with breaches.

Each lead is captured, has a few marketing activities, and about half reach MQL. Of
those, some are never assigned (``MQL_NOT_ASSIGNED`` runs out after an hour), some are
assigned but never accepted (``MQL_NOT_ACCEPTED`` after 48 hours) and the rest are
accepted and partly converted. Times are backdated from ``now`` so the breaches are
already due when the bench runs: the live timer raises them at once and a replay up to
``now`` raises the same ones.

The lead part stands alone; partner agreement events are an optional extra
(``partners > 0``), on their own topic, that the lead pipeline does not read.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from schemas.agreement_events import (
    AgreementProposed,
    AgreementProposedData,
    AgreementSigned,
    AgreementSignedData,
    Party,
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

LIGHT_ACTIVITIES = ("email_open", "email_click", "web_visit", "content_download")
HOT_ACTIVITIES = ("webinar", "demo_request", "contact_us")  # 70 points: with a few more, MQL
INDUSTRIES = ("saas", "retail", "finance", "health", "manufacturing")
START_WINDOW = timedelta(days=1)
HISTORY = timedelta(days=3)  # the workload starts this long before ``now``


class LeadScript:
    """One lead's events in time order; ``lead_id`` keeps the lead's own numbering."""

    def __init__(self, lead_id: str, start: datetime, rng: random.Random) -> None:
        self.lead_id, self.at, self.rng, self.n = lead_id, start, rng, 0
        self.events: list[Envelope] = []

    def _env(self, minutes: float, actor: str | None = None) -> dict[str, object]:
        self.at += timedelta(minutes=minutes)
        self.n += 1
        return {
            "event_id": f"{self.lead_id}-e{self.n}",
            "subject": self.lead_id,
            "occurred_at": self.at,
            "source": f"partner-{self.rng.randrange(8)}",
            "actor": actor,
        }

    def captured(self) -> None:
        person = Person(
            email=f"{self.lead_id}@example.com",
            first_name="Ana",
            company=f"Company {self.rng.randrange(10_000)}",
            country=self.rng.choice(("DE", "US", "FR", "GB")),
        )
        data = LeadCapturedData(
            person=person,
            industry=self.rng.choice(INDUSTRIES),
            budget=float(self.rng.randrange(1_000, 100_000)),
            readiness=self.rng.choice(("now", "3m", "6m", "12m")),
        )
        self.events.append(LeadCaptured(**self._env(0), data=data))

    def activity(self, name: str) -> None:
        minutes = self.rng.uniform(1, 120)
        data = LeadActivityData(activity=name)
        self.events.append(LeadActivity(**self._env(minutes), data=data))

    def assigned(self, owner: str) -> None:
        data = LeadAssignedData(owner=owner, team="sales")
        env = self._env(self.rng.uniform(5, 50), "routing")
        self.events.append(LeadAssigned(**env, data=data))

    def status(self, to: str, minutes: float) -> None:
        env = self._env(minutes, "rep")
        self.events.append(LeadStatusChanged(**env, data=LeadStatusChangedData(to=to)))

    def converted(self) -> None:
        data = LeadConvertedData(contact_id=f"c-{self.lead_id}", account_id="a-1")
        self.events.append(LeadConverted(**self._env(self.rng.uniform(60, 600)), data=data))


def lead_script(lead_id: str, start: datetime, rng: random.Random) -> list[Envelope]:
    script = LeadScript(lead_id, start, rng)
    script.captured()
    for _ in range(rng.randrange(1, 4)):
        script.activity(rng.choice(LIGHT_ACTIVITIES))
    if rng.random() < 0.5:
        for name in HOT_ACTIVITIES:
            script.activity(name)
        script.activity("content_download")  # 70 + 8 + the light ones: MQL
        fate = rng.random()
        if fate < 0.2:
            return script.events  # never assigned: MQL_NOT_ASSIGNED breach
        script.assigned(f"rep-{rng.randrange(20)}")
        if fate < 0.35:
            return script.events  # assigned, never accepted: MQL_NOT_ACCEPTED breach
        script.status("SAL", rng.uniform(30, 600))
        if fate < 0.7:
            script.status("SQL", rng.uniform(60, 600))
            script.converted()
    return script.events


def lead_events(leads: int, now: datetime, seed: int = 6, prefix: str = "L") -> list[Envelope]:
    """Every lead's script, merged in time order (each lead's own order is kept)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    origin = now - HISTORY
    events: list[Envelope] = []
    for number in range(leads):
        start = origin + START_WINDOW * rng.random()
        events.extend(lead_script(f"{prefix}{number:07d}", start, rng))
    events.sort(key=lambda e: e.occurred_at)  # stable: per-lead order is time order
    return events


def partner_events(partners: int, now: datetime) -> Iterator[Envelope]:
    """Optional: one proposed and signed agreement per partner (the agreements topic)."""
    at = now - HISTORY
    for number in range(partners):
        agreement = f"agr-{number:05d}"
        parties = [Party(partner_id="us", role="receiver")]
        parties.append(Party(partner_id=f"partner-{number}", role="generator"))
        base = {"subject": agreement, "occurred_at": at, "source": "us", "actor": "legal"}
        yield AgreementProposed(
            event_id=f"{agreement}-p",
            data=AgreementProposedData(parties=parties, terms=Terms(effective_from=at)),
            **base,
        )
        yield AgreementSigned(
            event_id=f"{agreement}-s",
            data=AgreementSignedData(partner_id=f"partner-{number}", signer="cfo"),
            **base,
        )
