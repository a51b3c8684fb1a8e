"""The one registry of every topic the project owns: name, key, value, settings.

Topics are created by ``leadledger topics`` (the broker runs with
``auto.create.topics.enable=false``), never by a producer's first send: a topic
auto-created with another partition count than a table's changelog leaves Faust
crash-looping on ``PartitionsMismatch``.

All event topics are keyed by the event's ``subject``. One lead's lifecycle, share and
consent events share the ``leads`` topic, so they are totally ordered per lead (share
admission reads consent; replay must see them in the order the live worker did).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_PARTITIONS = 6
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One topic; its full name is ``<namespace>.<suffix>`` (see :func:`topic_name`)."""

    suffix: str
    key: str
    value: str
    purpose: str
    partitions: int = DEFAULT_PARTITIONS
    config: dict[str, str] = field(default_factory=lambda: dict(KEEP_FOREVER))


LEADS = TopicSpec(
    "leads",
    key="lead id",
    value="lead lifecycle, sharing, consent and erasure events (Avro single-object)",
    purpose="system of record for leads",
)
AGREEMENTS = TopicSpec(
    "agreements",
    key="agreement id or dispute id",
    value="agreement and dispute events (Avro single-object)",
    purpose="system of record for partner agreements",
)
REJECTIONS = TopicSpec(
    "rejections",
    key="subject when known, else none",
    value="EventRejected / LeadShareRejected (Avro single-object)",
    purpose="every refused input with its reasons and original bytes",
)
ESCALATIONS = TopicSpec(
    "escalations",
    key="subject that is overdue",
    value="EscalationRaised (Avro single-object)",
    purpose="SLA breaches for downstream services",
)
NOTIFICATIONS = TopicSpec(
    "notifications",
    key="subject",
    value="NotificationRaised (Avro single-object)",
    purpose="e.g. marketing told that an MQL went to sales",
)
CLOCKS = TopicSpec(
    "clocks",
    key="subject whose clock is due",
    value="DeadlineScheduled / internal clock-due messages (Avro single-object)",
    purpose="the timer's requests to the agent that owns the subject's state",
    # Internal and re-derivable from the event log: a week is plenty.
    config={"retention.ms": str(7 * 24 * 3600 * 1000), "cleanup.policy": "delete"},
)
PARTNER_ACTIVITY = TopicSpec(
    "partner-activity",
    key="partner id",
    value="PartnerActivity (Avro single-object)",
    purpose="what happened to each partner; the per-partner view folds it",
)

INPUT_TOPICS: tuple[TopicSpec, ...] = (LEADS, AGREEMENTS)
ALL_TOPICS: tuple[TopicSpec, ...] = (
    LEADS,
    AGREEMENTS,
    REJECTIONS,
    ESCALATIONS,
    NOTIFICATIONS,
    CLOCKS,
    PARTNER_ACTIVITY,
)


TABLES: tuple[str, ...] = (
    "leads",
    "deadlines",
    "escalations",
    "agreements",
    "disputes",
    "partners",
    "privacy",
)
"""The worker's tables (``streams/wiring.py``); each has a changelog topic."""
CHANGELOG_CONFIG = {"cleanup.policy": "compact"}


def changelog_name(table: str, namespace: str) -> str:
    """Faust's changelog topic of a table (the app id is the namespace).

    Created with the other topics, before a worker starts: a changelog that Faust
    declares at start-up can be missing from the consumer's first metadata, and the
    table then refuses every write with ``PartitionsMismatch`` (0 partitions) until the
    metadata is refreshed, minutes later.
    """
    return f"{namespace}-{table}-changelog"


def topic_name(spec: TopicSpec, namespace: str) -> str:
    """The topic's name under a namespace (``leadledger`` by default).

    A namespace lets several deployments, or test runs, share one cluster without
    seeing each other's data.
    """
    return f"{namespace}.{spec.suffix}"
