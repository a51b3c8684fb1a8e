"""The agent that folds the partner-activity topic into the per-partner view table and
the per-partner compliance table (``privacy``: whose personal data the partner holds).

The topic is keyed by partner id, so one partner's activities are in one partition, in
order, on the worker that owns its row of the ``partners`` table. The topic is written
only by this system (``streams/delivery/emit.py``); a message that is not a ``PartnerActivity``
keyed by its partner is logged and skipped, never folded into someone's view. Each
folded activity is also copied to its partner's feed (``streams/admission/feeds.py``).
"""

from __future__ import annotations

import logging
from typing import Any

from projections.compliance.partner import fold_privacy, privacy_from_json, privacy_to_json
from projections.partner_view.fold import fold_activity
from projections.partner_view.state import view_from_json, view_to_json
from schemas.codec import DecodeError, decode
from schemas.partner_system_events import PartnerActivity
from streams.admission.feeds import copy_activity
from streams.delivery.agent_loop import finished_events
from streams.runtime import Runtime

log = logging.getLogger(__name__)


def apply_activity(rt: Runtime, key: bytes | None, value: bytes | None) -> bool:
    """Fold one message into its partner's view; False when it was skipped."""
    try:
        event = decode(value or b"")
    except DecodeError:
        log.exception("undecodable message on the partner-activity topic")
        return False
    if not isinstance(event, PartnerActivity) or key != event.subject.encode():
        log.error("skipped %s on the partner-activity topic (key %r)", event.type, key)
        return False
    raw = rt.partners.get(event.subject)
    view = fold_activity(view_from_json(raw) if raw else None, event)
    rt.partners[event.subject] = view_to_json(view)
    # The compliance view of the same partner: which leads' personal data it holds.
    held = rt.privacy.get(event.subject)
    rt.privacy[event.subject] = privacy_to_json(
        fold_privacy(privacy_from_json(held) if held else None, event)
    )
    return True


def register(rt: Runtime) -> None:
    @rt.app.agent(rt.partner_activity_topic, name="partners")  # type: ignore[untyped-decorator]
    async def partners_agent(stream: Any) -> None:
        async for event in finished_events(stream):
            message = event.message
            try:
                applied = apply_activity(rt, message.key, message.value)
            except Exception:
                log.exception("partner activity failed on %s", message.tp)
                continue
            if applied:
                # Before the acknowledgement: the partner's feed gets it at least once.
                await copy_activity(rt, message.key, message.value)
