"""The agent that folds the leads topic into the lead table.

It decodes, checks the envelope against the message (key = subject, a type partners
may publish), calls the pure core and writes what the core decided. It holds no
business rule. Faust acknowledges an event even when the agent raised, so nothing may
escape: every failure becomes an ``EventRejected`` carrying the original bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from projections.agreement_state import EMPTY_BOOK, AgreementLookup
from projections.lead import HANDLERS, Outcome, evolve, state_from_json, state_to_json
from schemas.agreement_events import LeadShared
from schemas.codec import DecodeError, decode, encode
from schemas.envelope import Envelope
from schemas.events import PARTNER_EVENT_TYPES
from schemas.lead_events import LeadCaptured
from schemas.privacy_events import ErasureRequested
from schemas.system_events import LeadShareRejected
from streams.agent_loop import handle_each
from streams.emit import emit, reject
from streams.personal_data import remember_person, seal, sealed_original, shred
from streams.recorder import advance_head, already_recorded, append
from streams.rejections import rejection_for
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


async def handle_lead_message(
    rt: Runtime, key: bytes | None, value: bytes | None, partition: int, offset: int
) -> None:
    """Decode, check, seal, record (append, chain head), fold, emit, write state.

    The fold sees the sealed, stamped event exactly as the record log holds it, so the
    live state is the replay of the record log by construction.
    """
    rt.counters.received += 1
    where = {"topic": rt.leads_topic.get_topic_name(), "partition": partition, "offset": offset}
    try:
        decoded = decode(value or b"")
    except DecodeError as exc:
        await reject(rt, rejection_for(reasons=[str(exc)], original=value, key=key, **where))
        return
    if problems := envelope_problems(decoded, key):
        # Mis-keyed, perhaps on another lead's partition: the lead's key is not here,
        # so the person is sealed with a key that is not kept.
        original = await sealed_original(rt, value, own_lead=False)
        await reject(
            rt,
            rejection_for(reasons=problems, original=original, key=key, event=decoded, **where),
        )
        return
    event: Envelope = await seal(rt, decoded)
    raw_state = rt.leads.get(event.subject)
    state = state_from_json(raw_state) if raw_state else None
    fresh = not already_recorded(rt, event.subject, event.event_id, state.seen if state else _NONE)
    if fresh:
        event = await append(rt, rt.lead_log_topic, event, partition, offset)
        # At once, not after the state: an event that then fails (an internal-error
        # rejection) is in the log, and the next one must link after it.
        advance_head(rt, event)
    outcome = evolve(state, event, rt.policy, await _agreements_for(rt, event))
    if outcome.rejection is not None or outcome.state is None:
        await _refused(rt, event, outcome, key, where)
    elif outcome.duplicate:
        rt.counters.duplicates += 1
    else:
        # Send first, then record: if a send fails, the lead is left as it was, the
        # event becomes an internal-error rejection, and nothing it caused is lost from
        # the state (a clock that fired is still due, so it fires again under its id).
        await emit(rt, outcome.emitted, partition)
        rt.leads[event.subject] = state_to_json(outcome.state)
        if isinstance(event, LeadCaptured):
            remember_person(rt, event)
    if isinstance(event, ErasureRequested) and outcome.rejection is None:
        # Only now that the state records whom to tell may the key go (a redelivered
        # request, a duplicate, shreds again: deleting a deleted key is a no-op).
        shred(rt, event.subject)
    if outcome.rejection is None and outcome.state is not None:
        # Counted last, so a failure above is counted once, as a rejection, never twice.
        rt.counters.processed += 1


async def _refused(
    rt: Runtime, event: Envelope, outcome: Outcome, key: bytes | None, where: dict[str, Any]
) -> None:
    """A refusal by the fold: the refused share is recorded, anything else rejected."""
    if outcome.state is not None:
        await emit(rt, outcome.emitted, where["partition"])
        rt.leads[event.subject] = state_to_json(outcome.state)
    if any(isinstance(e, LeadShareRejected) for e in outcome.emitted):
        rt.counters.rejected += 1  # its LeadShareRejected is the rejection record
        return
    reasons = [outcome.rejection or "refused"]
    # The sealed, stamped form: the rejection never keeps a plaintext person.
    original = encode(event)
    await reject(
        rt, rejection_for(reasons=reasons, original=original, key=key, event=event, **where)
    )


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
        await handle_each(rt, stream, handle_lead_message)
