"""What the agents, the timer and the views share: the app, its topics and tables."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from projections.policy import Policy
from streams.settings import Settings
from streams.state.deadline_index import BucketSchedule


@dataclass
class Counters:
    """Per-worker message counts: every message read is processed or rejected.

    ``received == processed + rejected`` must hold at every await point; the bad-input
    tests read these from ``GET /stats`` and the rejections topic.
    """

    received: int = 0
    processed: int = 0
    duplicates: int = 0
    rejected: int = 0
    escalations: int = 0
    clocks_due_sent: int = 0
    # Internal commands on the clocks topic (ShareRecorded, SharedLeadReleased) are not
    # input messages: counted apart so received == processed + rejected still holds.
    commands_applied: int = 0
    commands_refused: int = 0
    # The admission step (streams/admission/step.py), apart from the agents' counts:
    # admission_received == admission_admitted + admission_refused.
    admission_received: int = 0
    admission_admitted: int = 0
    admission_refused: int = 0
    feed_copies: int = 0  # messages copied to partners' feeds (streams/admission/feeds.py)
    # What each input message ended as, by (outcome, event type, reason class): outcome
    # "received", "processed" or "rejected", the reason class only for "rejected"
    # (streams/observability/reasons.py). Noted when a message's handling closes
    # (streams/delivery/tally.py), so per type received == processed + rejected; read
    # by GET /metrics. Not in /stats: the totals above are.
    outcomes: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, int]:
        return {name: value for name, value in self.__dict__.items() if isinstance(value, int)}


@dataclass
class Runtime:
    """Handles to the Faust objects, built once by :func:`streams.wiring.build_app`."""

    app: Any
    settings: Settings
    policy: Policy
    leads_topic: Any
    clocks_topic: Any
    rejections_topic: Any
    escalations_topic: Any
    notifications_topic: Any
    leads: Any
    deadlines: Any
    escalations: Any
    # streams.identity.clients.KafkaAccess: how this worker's own clients connect.
    kafka: Any = None
    agreements_topic: Any = None
    partner_activity_topic: Any = None
    agreements: Any = None  # agreement state by agreement id (projections.agreement.fold)
    disputes: Any = None  # dispute state by dispute id (projections.dispute.fold)
    # The record log (streams/delivery/recorder.py) and personal data
    # (streams/personal_data/sealing.py).
    lead_log_topic: Any = None
    agreement_log_topic: Any = None
    lead_keys: Any = field(default_factory=dict)  # lead id -> wrapped key record (key topic)
    # streams.personal_data.keyring.KeyWrapper: wraps the lead keys with a KEK kept
    # outside Kafka (the keyring file); None only in tests that seal nothing.
    keyring: Any = None
    lead_persons: Any = field(default_factory=dict)  # lead id -> sealed person, for views
    chain_heads: Any = field(default_factory=dict)  # subject -> {hash, event_id}
    # When the system records an event (``record.recorded_at``); injectable for tests.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    book: Any = None  # streams.state.agreement_book.AgreementBookFollower: every agreement
    partners: Any = None  # per-partner view by partner id (projections.partner_view.fold)
    privacy: Any = None  # whose personal data a partner holds (projections.compliance.partner)
    # (topic, partition) -> last offset its agent applied (streams/delivery/backlog.py).
    applied_offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    schedule: BucketSchedule = field(default_factory=BucketSchedule)
    gate: Any = None  # streams.web.access.Gate: who may read which view
    registry: Any = None  # streams.identity.registry.RegistryFollower: the partners
    bus: Any = None  # streams.admission.bus.Bus: the admission step's and the door's producer
    # Held by whoever folds lead states: the lead agent for a whole batch (its working
    # copy, streams/agents/lead_batch.py), the clock agent around one lead's read and write.
    lead_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
