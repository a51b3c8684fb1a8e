"""The receiver's pipeline on the real broker with a real worker (issue 17): partners
provisioned by ``leadledger partners add`` publish with their own credentials on their
own topics. A generator shares a lead, the receiver accepts it, converts it and wins
the deal in its own CRM; the commission accrues under the share's terms and goes
overdue, both partners read their side with their own tokens, a third partner's report
is refused on its feed, and the auditor's replay of the record log gives the live views.

The story is backdated by 40 days so that the commission's 30 days have run out by the
worker's wall clock: nothing sleeps to wait out an SLA. The receiver's answer comes
after the share was seen (the two partners publish on two topics, ordered only per
topic), so the response window is 60 days: no response clock is due before it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from kafka import KafkaProducer
from typer.testing import CliRunner

from schemas.codec import encode
from schemas.events import Event
from schemas.partner_system_events import CommissionAccrued
from schemas.system_events import EscalationRaised, EventRejected
from streams.broker.topics import (
    ESCALATIONS,
    NOTIFICATIONS,
    REJECTIONS,
    feed_topic_name,
    topic_name,
)
from streams.cli.main import cli
from tests.support.kafka_io import read_until
from tests.support.live_worker import LiveWorker
from tests.support.operator_shell import added, event, kafka_settings, operator_env

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
GEN, REC, STRANGER = (f"{name}-{RUN}" for name in ("northstar", "southwind", "eastgate"))
AGREEMENT, LEAD = f"AG-pipe-{RUN}", f"L-pipe-{RUN}"
START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
TERMS = {
    "effective_from": (START - timedelta(days=1)).isoformat(),
    "revenue_share": {"model": "percent", "rate": 10, "currency": "EUR", "payable_within_days": 30},
    "response": {"accept_within_hours": 24 * 60},
    "kpis": {"min_conversion_rate": 0.5, "max_follow_up_hours": 24},
}


@pytest.fixture(scope="module")
def cli_env(live_worker: LiveWorker) -> dict[str, str]:
    return operator_env(live_worker)


@pytest.fixture(scope="module")
def settings(cli_env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Each partner's printed settings: its topic, its SCRAM user, its HTTP token."""
    return {p: added(cli_env, p) for p in (GEN, REC, STRANGER)}


@pytest.fixture(scope="module")
def producers(settings: dict[str, dict[str, Any]]) -> Iterator[dict[str, KafkaProducer]]:
    made = {}
    for partner, printed in settings.items():
        made[partner] = KafkaProducer(**kafka_settings(printed), acks="all")
    yield made
    for producer in made.values():
        producer.close()


def publish_as(
    settings: dict[str, dict[str, Any]],
    producers: dict[str, KafkaProducer],
    partner: str,
    *events: Event,
) -> None:
    """On the partner's own topic, with its own credentials, in order."""
    topic = settings[partner]["publish_topic"]
    for one in events:
        producers[partner].send(topic, key=one.subject.encode(), value=encode(one)).get(timeout=10)


def wait_json(live_worker: LiveWorker, path: str, done: Callable[[Any], bool]) -> Any:
    def refusals() -> str:
        refused = read_until(
            live_worker.bootstrap, topic_name(REJECTIONS, live_worker.namespace), lambda _: False, 5
        )
        return (
            f"refused: {[e.model_dump_json()[:600] for e in refused if RUN in e.model_dump_json()]}"
        )

    return live_worker.wait_json(path, done, explain=refusals)


def signed_by(partners: list[str]) -> Callable[[Any], bool]:
    return lambda body: bool(body["signed_by"] == sorted(partners))


def partner_view(live_worker: LiveWorker, partner: str, token: str) -> Any:
    answer = httpx.get(
        f"{live_worker.base_url}/partners/{partner}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5.0,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def replayed(live_worker: LiveWorker, *what: str) -> Any:
    """``leadledger replay kafka``: the auditor's fold of the record log, up to now."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": live_worker.bootstrap,
        "LEADLEDGER_NAMESPACE": live_worker.namespace,
        "LEADLEDGER_HOME": str(live_worker.home),
    }
    as_of = datetime.now(UTC).isoformat()
    done = CliRunner().invoke(cli, ["replay", "kafka", "--as-of", as_of, *what], env=env)
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_the_receivers_won_deal_accrues_and_both_partners_see_it(
    live_worker: LiveWorker,
    settings: dict[str, dict[str, Any]],
    producers: dict[str, KafkaProducer],
) -> None:
    parties = [{"partner_id": GEN, "role": "generator"}, {"partner_id": REC, "role": "receiver"}]
    proposal = {"parties": parties, "terms": TERMS}
    publish_as(
        settings, producers, GEN, event("AgreementProposed", AGREEMENT, START, GEN, proposal)
    )
    # Two partners' topics are ordered only each on its own: the receiver signs once
    # the proposal is in (the generator's signature follows it on the generator's topic).
    for minutes, partner, signed in ((1, GEN, [GEN]), (2, REC, [GEN, REC])):
        signature = {"partner_id": partner, "signer": f"ceo@{partner}"}
        when = START + timedelta(minutes=minutes)
        publish_as(
            settings,
            producers,
            partner,
            event("AgreementSigned", AGREEMENT, when, partner, signature),
        )
        wait_json(live_worker, f"/agreements/{AGREEMENT}", signed_by(signed))
    assert live_worker.get(f"/agreements/{AGREEMENT}").json()["state"] == "ACTIVE"

    person = {"person": {"email": f"{LEAD}@example.com"}, "budget": 20000.0}
    share = {"agreement_id": AGREEMENT, "from_partner": GEN, "to_partner": REC}
    publish_as(
        settings,
        producers,
        GEN,
        event("LeadCaptured", LEAD, START + timedelta(hours=1), GEN, person),
        event(
            "ConsentGiven",
            LEAD,
            START + timedelta(hours=2),
            GEN,
            {"purpose": "sharing", "regime": "GDPR"},
        ),
        event("LeadShared", LEAD, START + timedelta(hours=3), GEN, share),
    )
    wait_json(
        live_worker,
        f"/leads/{LEAD}",
        lambda body: [s["status"] for s in body["shares"]] == ["pending"],
    )

    won = {"opportunity_id": "O-1", "won": True, "amount": 50000.0, "currency": "EUR"}
    conversion = {"contact_id": "C-1", "account_id": "A-1", "opportunity_id": "O-1"}
    publish_as(
        settings,
        producers,
        REC,
        event(
            "PartnerResponded",
            LEAD,
            START + timedelta(hours=5),
            REC,
            {"partner_id": REC, "accepted": True},
        ),
        event("LeadConverted", LEAD, START + timedelta(days=2), REC, conversion),
        event("OpportunityClosed", LEAD, START + timedelta(days=5), REC, won),
    )
    lead = wait_json(live_worker, f"/leads/{LEAD}", lambda body: body["commissions"] != [])
    assert lead["status"] == "RAW"  # the generator's own funnel never moved
    (commission,) = lead["commissions"]
    assert (commission["payer"], commission["payee"], commission["amount"]) == (REC, GEN, 5000.0)
    assert lead["shares"][0]["receiver_pipeline"]["stage"] == "won"

    # A third partner's report on the lead is refused on its own feed, naming both.
    stranger = event("LeadConverted", LEAD, START + timedelta(days=6), STRANGER, conversion)
    publish_as(settings, producers, STRANGER, stranger)

    def refusal(e: Event) -> bool:
        return isinstance(e, EventRejected) and e.data.rejected_event_id == stranger.event_id

    for topic in (
        topic_name(REJECTIONS, live_worker.namespace),
        feed_topic_name(live_worker.namespace, STRANGER),
    ):
        found = read_until(
            live_worker.bootstrap, topic, lambda es: any(refusal(e) for e in es), timeout=60
        )
        refused = [e for e in found if refusal(e)][:1]
        assert refused, f"no refusal of {stranger.event_id} on {topic}\n{live_worker.log_tail()}"
        assert isinstance(refused[0], EventRejected)
        reasons = refused[0].data.reasons
        assert any(STRANGER in r and REC in r for r in reasons), reasons

    # The commission on the notifications topic, and its clock run out: COMMISSION_OVERDUE.
    notes = read_until(
        live_worker.bootstrap,
        topic_name(NOTIFICATIONS, live_worker.namespace),
        lambda es: any(isinstance(e, CommissionAccrued) and e.subject == LEAD for e in es),
    )
    (accrued,) = [e for e in notes if isinstance(e, CommissionAccrued) and e.subject == LEAD]
    assert (accrued.data.payer, accrued.data.payee, accrued.data.amount) == (REC, GEN, 5000.0)

    def overdue(es: list[Event]) -> list[EscalationRaised]:
        return [
            e
            for e in es
            if isinstance(e, EscalationRaised)
            and e.subject == LEAD
            and e.data.rule == "COMMISSION_OVERDUE"
        ]

    raised = overdue(
        read_until(
            live_worker.bootstrap,
            topic_name(ESCALATIONS, live_worker.namespace),
            lambda es: bool(overdue(es)),
            timeout=60,
        )
    )
    assert raised
    assert sorted(raised[0].data.notify) == sorted([GEN, REC])

    # Each partner reads its own side with its own token.
    rec_view = wait_json(
        live_worker,
        f"/partners/{REC}",
        lambda body: body["commissions"] and body["commissions"][0]["overdue"],
    )
    assert rec_view == partner_view(live_worker, REC, settings[REC]["http_token"])
    overall = rec_view["kpis"]["overall"]
    assert (overall["converted"], overall["conversion_rate"], overall["won"]) == (1, 1.0, 1)
    assert overall["median_hours_to_convert"] == 43.0  # accepted at +5 h, converted at +48 h
    assert rec_view["commission_owed"] == 5000.0
    gen_view = wait_json(
        live_worker,
        f"/partners/{GEN}",
        lambda body: body["commissions"] and body["commissions"][0]["overdue"],
    )
    assert gen_view == partner_view(live_worker, GEN, settings[GEN]["http_token"])
    (sent,) = gen_view["shared_detail"]
    assert (sent["outcome"], sent["deal_amount"], sent["track"]) == ("won", 50000.0, "receiver")
    assert gen_view["commission_receivable"] == 5000.0
    foreign = httpx.get(
        f"{live_worker.base_url}/partners/{REC}",
        headers={"Authorization": f"Bearer {settings[STRANGER]['http_token']}"},
        timeout=5.0,
    )
    assert foreign.status_code == 403
    own = httpx.get(
        f"{live_worker.base_url}/partners/{STRANGER}",
        headers={"Authorization": f"Bearer {settings[STRANGER]['http_token']}"},
        timeout=5.0,
    )
    assert own.status_code == 404 or LEAD not in own.text  # its refusal shows nothing of the lead

    # The auditor's replay of the record log gives what the worker shows.
    assert replayed(live_worker, "--lead", LEAD) == live_worker.get(f"/leads/{LEAD}").json()
    for partner in (GEN, REC):
        assert (
            replayed(live_worker, "--partner", partner)
            == live_worker.get(f"/partners/{partner}").json()
        )
    escalations = replayed(live_worker, "--escalations")
    mine = {row["escalation_id"] for row in escalations if row["subject"] == LEAD}
    assert mine == {e.data.escalation_id for e in raised}
