"""The agent that folds the agreements topic into the agreements and disputes tables.

Agreement events are keyed by agreement id, dispute events by dispute id; each goes to
its own pure fold. The agent decodes, checks the envelope, calls the core and writes
what it decided; it holds no business rule. Nothing may escape: every failure becomes
an ``EventRejected`` carrying the original bytes.
"""

from __future__ import annotations

from typing import Any

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import evolve_agreement
from projections.dispute.fold import evolve_dispute
from projections.dispute.state import dispute_from_json, dispute_to_json
from schemas.agreement_events import (
    AgreementAmended,
    AgreementProposed,
    AgreementRenewed,
    AgreementSigned,
    AgreementTerminated,
    DisputeEscalated,
    DisputeOpened,
    DisputeResolved,
)
from schemas.codec import DecodeError, decode_incoming
from schemas.envelope import Envelope
from streams.delivery import tally
from streams.delivery.agent_loop import handle_each
from streams.delivery.emit import emit, reject
from streams.delivery.recorder import advance_head, already_recorded, send_record, stamp_next
from streams.delivery.rejections import rejection_for
from streams.observability import reasons
from streams.personal_data.worker import sealed_original
from streams.runtime import Runtime

AGREEMENT_TYPES = (
    AgreementProposed,
    AgreementSigned,
    AgreementAmended,
    AgreementRenewed,
    AgreementTerminated,
)
DISPUTE_TYPES = (DisputeOpened, DisputeEscalated, DisputeResolved)
BOOK_WAIT_SECONDS = 5.0
_NONE: frozenset[str] = frozenset()


def envelope_problems(event: Envelope, key: bytes | None) -> list[str]:
    """Reasons an otherwise valid event cannot be applied from the agreements topic."""
    problems = []
    if not isinstance(event, AGREEMENT_TYPES + DISPUTE_TYPES):
        problems.append(
            f"type {event.type} is not an agreement or dispute event; not accepted here"
        )
    if key is None or key.decode("utf-8", "replace") != event.subject:
        shown = key.decode("utf-8", "replace") if key is not None else None
        problems.append(
            f"message key {shown!r} is not the event subject {event.subject!r}; "
            "events must be keyed by subject to keep one agreement's events in order"
        )
    return problems


async def _apply(
    rt: Runtime, event: Envelope, partition: int, offset: int
) -> tuple[str | None, bool]:
    """Record the event, fold it into its table and emit; returns (rejection, duplicate)."""
    if isinstance(event, DISPUTE_TYPES):
        table, aggregate = rt.disputes, "dispute"
        raw = table.get(event.subject)
        state: Any = dispute_from_json(raw) if raw else None
        if isinstance(event, DisputeOpened):
            await rt.book.caught_up(BOOK_WAIT_SECONDS)  # the agreement it names
        event, to_record = _stamped(rt, event, state)
        outcome: Any = evolve_dispute(state, event, rt.policy, rt.book)
        encode_state: Any = dispute_to_json
    else:
        table, aggregate = rt.agreements, "agreement"
        raw = table.get(event.subject)
        state = agreement_from_json(raw) if raw else None
        event, to_record = _stamped(rt, event, state)
        outcome = evolve_agreement(state, event, rt.policy)
        encode_state = agreement_to_json
    # Recorded only once folded: an event the fold cannot take (it raised; the caller
    # rejects it) leaves no record-log copy for every replay to meet.
    if to_record:
        await _record(rt, event, partition, offset)
    if outcome.state is not None and not outcome.duplicate:
        table[event.subject] = encode_state(outcome.state)
        await emit(rt, outcome.emitted, partition, aggregate)
    return outcome.rejection, outcome.duplicate


def _stamped(rt: Runtime, event: Envelope, state: Any) -> tuple[Envelope, bool]:
    """The event as it will be recorded, and whether it must be (not yet recorded)."""
    seen: frozenset[str] = getattr(state, "seen", frozenset()) if state is not None else _NONE
    if already_recorded(rt, event.subject, event.event_id, seen):
        return event, False
    return stamp_next(rt, event), True


async def _record(rt: Runtime, stamped: Envelope, partition: int, offset: int) -> None:
    """Append to the agreement log (no personal data here: nothing sealed), and only
    once the broker has it move the chain head (log first)."""
    await (await send_record(rt, rt.agreement_log_topic, stamped, partition, offset))
    advance_head(rt, stamped)


async def handle_agreement_message(
    rt: Runtime, key: bytes | None, value: bytes | None, partition: int, offset: int
) -> None:
    tally.received(rt.counters)
    where = {
        "topic": rt.agreements_topic.get_topic_name(),
        "partition": partition,
        "offset": offset,
    }
    try:
        event = decode_incoming(value or b"")  # within the contract's size limits
    except DecodeError as exc:
        await reject(
            rt,
            rejection_for(reasons=[str(exc)], original=value, key=key, **where),
            reasons.of_decode_error(str(exc)),
        )
        return
    tally.note_type(event.type)
    if problems := envelope_problems(event, key):
        # A lead event sent here keeps its person sealed with a key nobody holds.
        original = await sealed_original(rt, value, own_lead=False)
        await reject(
            rt,
            rejection_for(reasons=problems, original=original, key=key, event=event, **where),
            reasons.ENVELOPE,
        )
        return
    rejection, duplicate = await _apply(rt, event, partition, offset)
    if rejection is not None:
        await reject(
            rt,
            rejection_for(reasons=[rejection], original=value, key=key, event=event, **where),
            reasons.classify([rejection], reasons.FOLD),
        )
        return
    if duplicate:
        tally.duplicate(rt.counters)
    # Counted last, so a failure above is counted once, as a rejection, never twice.
    tally.processed(rt.counters)


def register(rt: Runtime) -> None:
    @rt.app.agent(rt.agreements_topic, name="agreements")  # type: ignore[untyped-decorator]
    async def agreements_agent(stream: Any) -> None:
        # The timer holds this partition's clocks while fetched events wait here.
        await handle_each(rt, stream, handle_agreement_message)

    @rt.app.task  # type: ignore[untyped-decorator]
    async def follow_agreements() -> None:
        await rt.book.run()
