"""The agent that folds the leads topic into the lead table.

It decodes, checks the envelope against the message (key = subject, a type partners
may publish), calls the pure core and writes what the core decided. It holds no
business rule. Faust acknowledges an event even when the agent raised, so nothing may
escape: every failure becomes an ``EventRejected`` carrying the original bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from projections.agreement.state import EMPTY_BOOK, AgreementLookup
from projections.lead.fold import HANDLERS, Outcome, evolve
from schemas.agreement_events import LeadShared
from schemas.codec import DecodeError, decode_incoming, encode, type_of
from schemas.envelope import Envelope
from schemas.events import PARTNER_EVENT_TYPES
from schemas.lead_events import LeadCaptured, Person
from schemas.privacy_events import ErasureRequested
from schemas.system_events import LeadShareRejected
from streams.agents.lead_batch import LeadBatch, as_current
from streams.delivery import table_writes, tally
from streams.delivery.agent_loop import handle_batches
from streams.delivery.emit import note_outputs, reject_failure, send_outputs, send_rejection
from streams.delivery.recorder import advance_head, already_recorded, send_record, stamp_next
from streams.delivery.rejections import rejection_for
from streams.observability import reasons
from streams.personal_data.worker import (
    make_key_if_missing,
    remember_person,
    seal,
    sealed_original,
    shred,
)
from streams.runtime import Runtime

log = logging.getLogger(__name__)
_NONE: frozenset[str] = frozenset()
_FOLDED: list[type[Envelope]] = [LeadCaptured, *HANDLERS]
LEADS_TOPIC_TYPES = PARTNER_EVENT_TYPES & frozenset(
    cls.model_fields["type"].default for cls in _FOLDED
)
"""What partners publish on the leads topic: lifecycle, sharing, consent and erasure
events (the system's own commands, e.g. SharedLeadReleased, come on the clocks topic)."""


def envelope_problems(event: Envelope, key: bytes | None) -> list[str]:
    """Reasons an otherwise valid event cannot be applied from this topic."""
    problems = []
    if event.type not in LEADS_TOPIC_TYPES:
        problems.append(f"type {event.type} is not a lead event; not accepted here")
    if key is None or key.decode("utf-8", "replace") != event.subject:
        shown = key.decode("utf-8", "replace") if key is not None else None
        problems.append(
            f"message key {shown!r} is not the event subject {event.subject!r}; "
            "events must be keyed by subject to keep one lead's events in order"
        )
    return problems


async def handle_lead_batch(rt: Runtime, events: Sequence[Any]) -> None:
    """Each event of a batch in order, on one working copy of the leads it touches
    (``streams/agents/lead_batch.py``): one wait for the broker and one write per lead.

    An event's failure is that event's rejection; the others still apply. If a send
    fails, nothing of the batch is written and its events are handled again one by
    one, as a redelivery would be: each then applies or becomes its own rejection.
    """
    async with rt.lead_lock:
        await _keys_first(rt, events)
        batch = LeadBatch(rt)
        counted = []
        for event in events:
            message = event.message
            with batch.handling(event), tally.message() as counts:
                counted.append(counts)
                try:
                    await _handle(rt, batch, message)
                except Exception as exc:
                    log.exception("unexpected failure on %s", message.tp)
                    await reject_failure(rt, message, exc)
        try:
            await batch.delivered()
        except Exception:
            log.exception("a send of a batch of %d failed; handling them one by one", len(events))
            for counts in counted:  # never counted twice: each is counted again below
                tally.undo(rt.counters, counts)
            for event in events:
                await _handle_alone(rt, event)
            return
        await batch.write()


async def handle_lead_message(
    rt: Runtime, key: bytes | None, value: bytes | None, partition: int, offset: int
) -> None:
    """One message as a batch of its own; a failure propagates (the tests see it)."""
    message = _Message(key, value, partition, offset)
    await _keys_first(rt, [_Event(message)])
    batch = LeadBatch(rt)
    await _handle(rt, batch, message)
    await batch.delivered()
    await batch.write()


async def _handle_alone(rt: Runtime, event: Any) -> None:
    message = event.message
    with as_current(event), tally.message():
        try:
            await handle_lead_message(
                rt, message.key, message.value, message.partition, message.offset
            )
        except Exception as exc:
            log.exception("unexpected failure on %s", message.tp)
            await reject_failure(rt, message, exc)


async def _keys_first(rt: Runtime, events: Sequence[Any]) -> None:
    """Make the key of every new lead whose capture the batch will seal, and wait until
    the broker has those key writes, before any record-log copy is sent: a sealed
    copy's key is then always on its changelog (``make_key_if_missing``). One wait for
    a batch with new leads, none for a batch without."""
    made = False
    for event in events:
        message = event.message
        try:
            if message.value is None or type_of(message.value) != "LeadCaptured":
                continue
            decoded = decode_incoming(message.value)
        except DecodeError:
            continue  # rejected when handled
        if envelope_problems(decoded, message.key) or not isinstance(
            getattr(decoded.data, "person", None), Person
        ):
            continue  # mis-keyed (sealed with a one-off key) or nothing to seal
        # Written as the event's own, to its partition (outside a stream: as it is).
        with as_current(None if isinstance(event, _Event) else event):
            made = make_key_if_missing(rt, decoded.subject) or made
    if made:
        await table_writes.landed_so_far()


@dataclass(frozen=True, slots=True)
class _Event:
    """A message outside a Faust stream, shaped as the batch handler reads events."""

    message: Any


@dataclass(frozen=True, slots=True)
class _Message:
    """The fields of a Faust message the handler reads."""

    key: bytes | None
    value: bytes | None
    partition: int
    offset: int


async def _handle(rt: Runtime, batch: LeadBatch, message: Any) -> None:
    """Decode, check, seal, stamp, fold, record (append, chain head), emit; the batch
    writes the state once the broker has what it sent.

    The fold sees the sealed, stamped event exactly as the record log holds it, so the
    live state is the replay of the record log by construction.
    """
    tally.received(rt.counters)
    key, value, partition = message.key, message.value, message.partition
    topic = rt.leads_topic.get_topic_name()
    where = {"topic": topic, "partition": partition, "offset": message.offset}
    try:
        decoded = decode_incoming(value or b"")  # within the contract's size limits
    except DecodeError as exc:
        rejection = rejection_for(reasons=[str(exc)], original=value, key=key, **where)
        batch.expect(await send_rejection(rt, rejection, reasons.of_decode_error(str(exc))))
        return
    tally.note_type(decoded.type)
    if problems := envelope_problems(decoded, key):
        # Mis-keyed, perhaps on another lead's partition: the lead's key is not here,
        # so the person is sealed with a key that is not kept.
        original = await sealed_original(rt, value, own_lead=False)
        rejection = rejection_for(
            reasons=problems, original=original, key=key, event=decoded, **where
        )
        batch.expect(await send_rejection(rt, rejection, reasons.ENVELOPE))
        return
    event: Envelope = await seal(rt, decoded)
    state = batch.state(event.subject)
    seen = state.seen if state else _NONE
    to_record = not already_recorded(rt, event.subject, event.event_id, seen, batch.heads)
    if to_record:
        event = stamp_next(rt, event, batch.heads)
    # Folded before it is sent to the record log: an event the fold cannot take (it
    # raised; the caller rejects it) leaves no record that every replay would meet.
    outcome = evolve(state, event, rt.policy, await _agreements_for(rt, event))
    if to_record:
        batch.expect(await send_record(rt, rt.lead_log_topic, event, partition, message.offset))
        # At once, not after the state: an event that fails after this point (an
        # internal-error rejection) is in the log, and the next one must link after it.
        advance_head(rt, event, batch.heads)
    if outcome.rejection is not None or outcome.state is None:
        await _refused(rt, batch, event, outcome, key=key, where=where)
    elif outcome.duplicate:
        tally.duplicate(rt.counters)
    else:
        # Sent now, recorded once the broker has them: if a send fails, the lead is
        # left as it was and nothing it caused is lost from the state (a clock that
        # fired is still due, so it fires again under its id).
        await _emit(rt, batch, outcome.emitted, partition)
        batch.put(event.subject, outcome.state)
        if isinstance(event, LeadCaptured):
            batch.derive(partial(remember_person, rt, event))
    if isinstance(event, ErasureRequested) and outcome.rejection is None:
        # Only once the state records whom to tell may the key go (a redelivered
        # request, a duplicate, shreds again: deleting a deleted key is a no-op).
        batch.then(partial(shred, rt, event.subject))
    if outcome.rejection is None and outcome.state is not None:
        # Counted last; a failure after this moves it to rejected (tally), never twice.
        tally.processed(rt.counters)


async def _emit(
    rt: Runtime, batch: LeadBatch, outputs: tuple[Envelope, ...], partition: int
) -> None:
    for sent in await send_outputs(rt, outputs):
        batch.expect(sent)
    batch.derive(partial(note_outputs, rt, outputs, partition))


async def _refused(
    rt: Runtime,
    batch: LeadBatch,
    event: Envelope,
    outcome: Outcome,
    *,
    key: bytes | None,
    where: dict[str, Any],
) -> None:
    """A refusal by the fold: the refused share is recorded, anything else rejected."""
    if outcome.state is not None:
        await _emit(rt, batch, outcome.emitted, where["partition"])
        batch.put(event.subject, outcome.state)
    if any(isinstance(e, LeadShareRejected) for e in outcome.emitted):
        tally.rejected(rt.counters, reasons.FOLD)  # its LeadShareRejected is the record
        return
    why = [outcome.rejection or "refused"]
    # The sealed, stamped form: the rejection never keeps a plaintext person.
    original = encode(event)
    rejection = rejection_for(reasons=why, original=original, key=key, event=event, **where)
    batch.expect(await send_rejection(rt, rejection, reasons.classify(why, reasons.FOLD)))


async def _agreements_for(rt: Runtime, event: Envelope) -> AgreementLookup:
    """Every agreement, for a share; before deciding one, the book must have read what
    the broker acknowledged on the agreements topic (the documented ordering guarantee)."""
    if rt.book is None:
        return EMPTY_BOOK
    if isinstance(event, LeadShared) and not await rt.book.caught_up():
        log.warning("agreement book not caught up; deciding share %s anyway", event.event_id)
    book: AgreementLookup = rt.book
    return book


def register(rt: Runtime) -> None:
    @rt.app.agent(rt.leads_topic, name="leads")  # type: ignore[untyped-decorator]
    async def leads_agent(stream: Any) -> None:
        await handle_batches(rt, stream, handle_lead_batch)
