"""Fuzzing the decode-and-fold path (issue 20, item 6): hostile bytes on the intake
topics never crash the pure core, every message is accounted for, and a replay of the
record log the run wrote still answers, equal to the live fold.

The live side is the agents' decisions without a broker: ``decode`` (schemas/codec.py),
the topic's ``envelope_problems`` (streams/agents), then the folds, one message at a
time on one :class:`Simulation` (the same folds and clock order the worker runs). What
passes the envelope checks and is not yet recorded goes on a record log as bytes, as
the recorder appends it; replay decodes that log and folds it again.

The inputs start from a real scenario (every partner type, encoded), then add random
bytes, truncated and mutated copies of its messages (bytes flipped, inserted, deleted),
redeliveries, event ids reused with other content, extreme times and large fields,
keyed right or wrong, on either intake topic.

Fast and reproducible: no broker, ``derandomize=True`` (a failure reproduces as is),
``deadline=None`` (a slow CI machine is no failure), a bounded number of examples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from projections.agreement.codec import agreement_to_json
from projections.dispute.state import dispute_to_json
from projections.lead.state import state_to_json
from projections.policy import Policy
from projections.replay import KIND_OF, Simulation, replay
from schemas.codec import DecodeError, decode, encode
from schemas.envelope import Envelope
from schemas.events import parse_event
from schemas.times import EARLIEST, LATEST
from streams.agents import agreement as agreement_agent
from streams.agents import lead as lead_agent
from tests.support.every_type import every_partner_type

POLICY = Policy()
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SCENARIO: list[Envelope] = list(every_partner_type("fz", now=NOW))
SEEDS: list[bytes] = [encode(e) for e in SCENARIO]
TOPICS: dict[str, Callable[[Envelope, bytes | None], list[str]]] = {
    "leads": lead_agent.envelope_problems,
    "agreements": agreement_agent.envelope_problems,
}
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass
class Message:
    topic: str
    key: bytes | None
    value: bytes


@dataclass
class Live:
    """What the worker would have decided and written, message by message."""

    simulation: Simulation = field(default_factory=lambda: Simulation(POLICY))
    received: int = 0
    processed: int = 0
    rejected: list[str] = field(default_factory=list)
    record_log: list[bytes] = field(default_factory=list)
    heads: dict[str, str] = field(default_factory=dict)  # subject -> last recorded id
    counting: bool = True  # label each decision for --hypothesis-show-statistics

    def handle(self, message: Message, *, counted: bool = True) -> None:
        self.counting = counted
        self.received += 1
        try:
            event = decode(message.value)
        except DecodeError as exc:
            self._reject(str(exc), "undecodable")
            return
        if problems := TOPICS[message.topic](event, message.key):
            self._reject("; ".join(problems), "wrong topic or key")
            return
        if self._recorded(event):
            self._again(event)
            return
        self.record_log.append(encode(event))  # the recorder encodes what it appends
        self.heads[event.subject] = event.event_id
        before = len(self.simulation.result.rejections)
        self.simulation.feed(event)
        refusals = [
            reason
            for cause, reason in self.simulation.result.rejections[before:]
            if cause == event.event_id
        ]
        if refusals:
            self._reject(refusals[0], "refused by the fold")
        else:
            self.processed += 1
            self._count("applied")

    def _again(self, event: Envelope) -> None:
        """An id already recorded: the recorder appends nothing, and the fold decides
        before any clock runs (a duplicate, or a reuse with other content refused)."""
        kind = KIND_OF.get(type(event))
        assert kind is not None  # the envelope checks passed: a folded type
        outcome = self.simulation._evolve(kind, event)
        if outcome.rejection:
            self._reject(outcome.rejection, "a reused id refused")
            return
        assert outcome.duplicate, f"{event.event_id} applied but never recorded"
        self.processed += 1
        self._count("a duplicate")

    def _count(self, kind: str) -> None:
        if self.counting:
            event(kind)

    def _reject(self, reason: str, kind: str) -> None:
        assert reason.strip(), "a refusal always says why"
        self.rejected.append(reason)
        self._count(kind)

    def _recorded(self, event: Envelope) -> bool:
        """``streams.delivery.recorder.already_recorded`` on the simulation's state."""
        kind = KIND_OF.get(type(event))
        state: Any = self.simulation._get(kind, event.subject) if kind else None
        seen = state.seen if state is not None else frozenset()
        return event.event_id in seen or self.heads.get(event.subject) == event.event_id


def _states(result: Any) -> dict[str, bytes]:
    states = {f"lead/{k}": state_to_json(v) for k, v in result.leads.items()}
    states |= {f"dispute/{k}": dispute_to_json(v) for k, v in result.disputes.items()}
    states |= {f"agreement/{a.agreement_id}": agreement_to_json(a) for a in result.agreements.all()}
    return states


# --- the inputs -------------------------------------------------------------------

seed = st.sampled_from(SEEDS)
seed_event = st.sampled_from(SCENARIO)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(seed))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("flip", "insert", "delete")))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif data:
            del data[at : at + draw(st.integers(1, 8))]
    return bytes(data)


@st.composite
def truncated(draw: st.DrawFn) -> bytes:
    whole = draw(seed)
    return whole[: draw(st.integers(0, len(whole) - 1))]


any_time = st.datetimes(
    min_value=datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.just(UTC),
)
EDGES = st.sampled_from(
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, 0, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 40, tzinfo=UTC),  # the poison LeadActivity
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
        EARLIEST,  # the contract's range (schemas/times.py): in
        EARLIEST - timedelta(microseconds=1),  # out
        LATEST - timedelta(microseconds=1),  # in
        LATEST,  # out
        NOW + timedelta(days=365 * 50),
    ]
)


@st.composite
def retimed(draw: st.DrawFn) -> bytes:
    """A valid event at any time datetime can hold, with any offset."""
    event = draw(seed_event)
    if draw(st.booleans()):  # a new event, which the folds apply (or refuse) at that time
        event = event.model_copy(update={"event_id": f"{event.event_id}-{draw(st.integers(0, 9))}"})
    when = draw(st.one_of(EDGES, any_time))
    return encode(event.model_copy(update={"occurred_at": when}))


@st.composite
def resized(draw: st.DrawFn) -> bytes:
    """A valid event with a large or odd ``source``, ``actor`` or ``event_id``."""
    event = draw(seed_event)
    name = draw(st.sampled_from(("source", "actor", "event_id")))
    text = draw(
        st.one_of(
            st.text(min_size=1, max_size=50),
            st.integers(1_000, 200_000).map(lambda n: "x" * n),
        )
    )
    return encode(event.model_copy(update={name: text}))


@st.composite
def reused(draw: st.DrawFn) -> bytes:
    """A scenario event's id with other content (another source or time)."""
    event = draw(seed_event)
    minutes = draw(st.integers(1, 600))
    return encode(
        event.model_copy(update={"occurred_at": event.occurred_at + timedelta(minutes=minutes)})
    )


value = st.one_of(
    st.binary(max_size=300),
    seed.map(lambda s: s[:10] + b"\x00" * 4),  # a header, then nothing that decodes
    truncated(),
    mutated(),
    seed,  # a redelivery
    reused(),
    retimed(),
    resized(),
)


@st.composite
def message(draw: st.DrawFn) -> Message:
    """Mostly on the right topic under the right key, so most decodable inputs reach
    the folds; sometimes not, so the envelope checks are fuzzed too."""
    raw = draw(value)
    try:
        decoded: Envelope | None = decode(raw)
    except DecodeError:
        decoded = None
    subject = decoded.subject.encode() if decoded is not None else b"L-fz"
    right = st.just(subject)
    key = draw(st.one_of(right, right, right, st.none(), st.binary(max_size=12)))
    home = st.just(_topic_of(decoded)) if decoded is not None else st.sampled_from(["leads"])
    topic = draw(st.one_of(home, home, home, st.sampled_from(sorted(TOPICS))))
    return Message(topic, key, raw)


@st.composite
def fresh_lead(draw: st.DrawFn) -> list[Message]:
    """A new lead captured and made an MQL at any time (in the contract's range or not:
    a publisher's encoder does not check it): its clocks start there."""
    when = draw(st.one_of(EDGES, any_time))
    lead = f"L-fz-new-{draw(st.integers(0, 3))}"
    common = {"subject": lead, "occurred_at": NOW, "source": "gen-fz"}
    capture = parse_event(
        common
        | {"event_id": f"{lead}-c", "type": "LeadCaptured", "data": {"person": {"email": "a@b.c"}}}
    )
    demo = parse_event(
        common
        | {
            "event_id": f"{lead}-a",
            "type": "LeadActivity",
            "data": {"activity": "demo_request", "points": draw(st.integers(-(2**31), 2**31 - 1))},
        }
    )
    return [
        Message("leads", lead.encode(), encode(e.model_copy(update={"occurred_at": when})))
        for e in (capture, demo)
    ]


def _topic_of(event: Envelope) -> str:
    return (
        "leads"
        if lead_agent.envelope_problems(event, event.subject.encode()) == []
        else "agreements"
    )


BASELINE = [Message(_topic_of(e), e.subject.encode(), encode(e)) for e in SCENARIO]


@FUZZ
@given(st.lists(st.one_of(message().map(lambda m: [m]), fresh_lead()), min_size=1, max_size=8))
def test_hostile_intake_is_applied_or_refused_and_replay_agrees(
    batches: list[list[Message]],
) -> None:
    messages = [m for batch in batches for m in batch]
    live = Live()
    for each in BASELINE:
        live.handle(each, counted=False)
    for each in messages:
        live.handle(each)
    # Every message accounted for, once: received = processed + rejected.
    assert live.received == len(BASELINE) + len(messages)
    assert live.received == live.processed + len(live.rejected)

    recorded = [decode(raw) for raw in live.record_log]
    as_of = max(e.occurred_at for e in recorded)
    live.simulation.run_clocks(as_of)
    replayed = replay(recorded, as_of, POLICY)
    assert _states(replayed) == _states(live.simulation.result)
    assert replayed.escalation_rows() == live.simulation.result.escalation_rows()


def test_the_baseline_applies_every_message() -> None:
    """The fuzz starts from a scenario the folds accept whole: the mutations hit real
    aggregates, not unknown ones."""
    live = Live()
    for each in BASELINE:
        live.handle(each, counted=False)
    assert (live.processed, live.rejected) == (len(BASELINE), [])
