"""Cross-aggregate commands on the clocks topic, applied by the pure folds.

``ShareRecorded`` (subject: agreement id) tells an agreement about a share of one of its
leads; ``SharedLeadReleased`` (subject: lead id) tells a lead that its agreement ended.
They are system commands, not partner input: a refusal is published on the rejections
topic with its reason and counted apart (``commands_refused``).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from typing import Any

from projections.agreement.codec import agreement_from_json, agreement_to_json
from projections.agreement.fold import evolve_agreement
from projections.lead.fold import evolve as evolve_lead
from projections.lead.fold import state_from_json
from projections.lead.state import stored_to_json
from schemas.codec import encode
from schemas.partner_system_events import SharedLeadReleased, ShareRecorded
from streams.delivery.emit import emit
from streams.delivery.rejections import rejection_for
from streams.runtime import Runtime

log = logging.getLogger(__name__)


async def apply_command(
    rt: Runtime, command: ShareRecorded | SharedLeadReleased, partition: int, offset: int
) -> None:
    """A fact one aggregate sends another: a share's status to its agreement, a
    termination's release to the lead. A refusal, or a failure, is published on the
    rejections topic with its reason."""
    # A release folds a lead: not between the lead agent's read of a batch's states
    # and their write (streams/agents/lead_batch.py).
    hold: Any = rt.lead_lock if isinstance(command, SharedLeadReleased) else nullcontext()
    try:
        async with hold:
            rejection = await _apply(rt, command, partition)
    except Exception as exc:
        log.exception("command %s failed", command.event_id)
        rejection = f"internal error: {type(exc).__name__}: {exc}"
    if rejection is None:
        rt.counters.commands_applied += 1
        return
    rt.counters.commands_refused += 1
    refused = rejection_for(
        reasons=[rejection],
        original=encode(command),
        key=command.subject.encode(),
        topic=rt.clocks_topic.get_topic_name(),
        partition=partition,
        offset=offset,
        event=command,
    )
    await rt.rejections_topic.send(key=command.subject.encode(), value=encode(refused))


async def _apply(
    rt: Runtime, command: ShareRecorded | SharedLeadReleased, partition: int
) -> str | None:
    if isinstance(command, ShareRecorded):
        raw = rt.agreements.get(command.subject)
        outcome: Any = evolve_agreement(
            agreement_from_json(raw) if raw else None, command, rt.policy
        )
        table: Any = rt.agreements
        dump: Any = agreement_to_json
        aggregate = "agreement"
    else:
        raw = rt.leads.get(command.subject)
        outcome = evolve_lead(state_from_json(raw) if raw else None, command, rt.policy, rt.book)
        # The stored form keeps the lead's chain head (streams/agents/lead_batch.py).
        table, dump, aggregate = rt.leads, stored_to_json, "lead"
    if outcome.state is not None and not outcome.duplicate:
        table[command.subject] = dump(outcome.state)
        await emit(rt, outcome.emitted, partition, aggregate)
    rejection: str | None = outcome.rejection
    return rejection
