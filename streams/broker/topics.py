"""The one registry of every topic the project owns: name, key, value, settings.

Topics are created by ``leadledger topics`` (the broker runs with
``auto.create.topics.enable=false``), never by a producer's first send: a topic
auto-created with another partition count than a table's changelog leaves Faust
crash-looping on ``PartitionsMismatch``.

All event topics are keyed by the event's ``subject``. One lead's lifecycle, share and
consent events share the ``leads`` topic, so they are totally ordered per lead (share
admission reads consent; replay must see them in the order the live worker did).

Partners publish to the *intake* topics (``leads``, ``agreements``). The *record log*
(``lead-log``, ``agreement-log``), kept forever, is what the system accepted: each
event checked, its personal data sealed, stamped with ``recorded_at`` and its hash
chain; replay, export and verify read it. Intake ``leads`` holds plaintext personal
data, so the worker's janitor deletes each partition below its committed offset
(``streams/agents/janitor.py``).
"""

from __future__ import annotations

import re
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
    purpose="intake of lead events from partners; truncated once processed (janitor)",
)
AGREEMENTS = TopicSpec(
    "agreements",
    key="agreement id or dispute id",
    value="agreement and dispute events (Avro single-object)",
    purpose="intake of agreement and dispute events from partners",
)
LEAD_LOG = TopicSpec(
    "lead-log",
    key="lead id",
    value="accepted lead events, person sealed, record stamped (Avro single-object)",
    purpose="record log (system of record) for leads: replay, export, verify",
)
AGREEMENT_LOG = TopicSpec(
    "agreement-log",
    key="agreement id or dispute id",
    value="accepted agreement and dispute events, record stamped (Avro single-object)",
    purpose="record log (system of record) for agreements and disputes",
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
    value="DeadlineDue and internal commands (Avro single-object)",
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

ALERTS_DEAD = TopicSpec(
    "alerts-dead",
    key="the alert's subject",
    value="EscalationRaised / NotificationRaised, unchanged; headers name the endpoint and why",
    purpose="alerts `leadledger deliver` could not deliver to an endpoint (docs/alerts.md)",
)

INPUT_TOPICS: tuple[TopicSpec, ...] = (LEADS, AGREEMENTS)
"""The intake topics partners publish to."""
RECORD_LOG_TOPICS: tuple[TopicSpec, ...] = (LEAD_LOG, AGREEMENT_LOG)
"""The record log: what replay, export and verify read."""
ALL_TOPICS: tuple[TopicSpec, ...] = (
    LEADS,
    AGREEMENTS,
    LEAD_LOG,
    AGREEMENT_LOG,
    REJECTIONS,
    ESCALATIONS,
    NOTIFICATIONS,
    CLOCKS,
    PARTNER_ACTIVITY,
    ALERTS_DEAD,
)


TABLES: tuple[str, ...] = (
    "leads",
    "lead-keys",
    "lead-persons",
    "chain-heads",
    "deadlines",
    "escalations",
    "agreements",
    "disputes",
    "partners",
    "privacy",
)
"""The worker's tables (``streams/wiring.py``); each has a changelog topic."""
CHANGELOG_CONFIG = {"cleanup.policy": "compact"}
KEY_TABLE = "lead-keys"
KEY_TOPIC_CONFIG = {
    "cleanup.policy": "compact",
    # The cleaner never touches the active segment: roll it after ten seconds, so an
    # erasure's tombstone soon sits in a cleanable segment (a roll needs a later write).
    "segment.ms": "10000",
    # Clean as soon as anything is dirty, instead of waiting for half the log.
    "min.cleanable.dirty.ratio": "0.01",
    # The old key record goes when its segment is cleaned; the tombstone itself (no
    # secret in it) is dropped after a minute.
    "delete.retention.ms": "60000",
    "min.compaction.lag.ms": "0",
    # Compact within a minute of a write, however little else was written.
    "max.compaction.lag.ms": "60000",
}
"""The compacted key topic (changelog of ``lead-keys``): deleting a lead's key (a
tombstone) must remove the key from the broker's disk soon, not after days."""
TABLE_CONFIG: dict[str, dict[str, str]] = {KEY_TABLE: KEY_TOPIC_CONFIG}
"""Changelog settings other than ``CHANGELOG_CONFIG``, by table."""


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


PUBLISH_RETENTION_MS = str(7 * 24 * 3600 * 1000)


def partner_topics(partner_id: str) -> tuple[TopicSpec, TopicSpec]:
    """A partner's publish topic and feed, with the intake topics' partition count.

    The publish topic holds what the partner sent, plaintext personal data included,
    until admission handled it (``streams/admission/janitor.py`` then deletes it); its
    retention, a week like the clocks topic's, bounds that even for a worker down.
    The feed is output the partner subscribes to, kept like the escalations topic.
    """
    publish = TopicSpec(
        f"in.{partner_id}",
        key="subject (lead, agreement or dispute id)",
        value="the partner's own events (Avro single-object)",
        purpose=f"what {partner_id} publishes; only it writes, only the admission step reads",
        config={"retention.ms": PUBLISH_RETENTION_MS, "cleanup.policy": "delete"},
    )
    feed = TopicSpec(
        f"out.{partner_id}",
        key="subject",
        value="EscalationRaised, NotificationRaised, CommissionAccrued, PartnerActivity, "
        "EventRejected (Avro single-object)",
        purpose=f"what is addressed to {partner_id}; only it reads",
    )
    return publish, feed


PUBLISH_PREFIX, FEED_PREFIX = "in.", "out."


def publish_topic_pattern(namespace: str) -> str:
    """The regular expression of every partner's publish topic (pattern subscription)."""
    return "^" + re.escape(f"{namespace}.{PUBLISH_PREFIX}") + r"[a-z0-9][a-z0-9-]*$"


def partner_of_topic(topic: str, namespace: str) -> str | None:
    """The partner whose publish topic ``topic`` is, if it is one."""
    prefix = f"{namespace}.{PUBLISH_PREFIX}"
    return topic[len(prefix) :] if topic.startswith(prefix) else None


def publish_topic_name(namespace: str, partner_id: str) -> str:
    """A partner's own publish topic: only that partner writes it, only the worker's
    admission step reads it; the topic, not the payload, says who published."""
    return f"{namespace}.in.{partner_id}"


def feed_topic_name(namespace: str, partner_id: str) -> str:
    """A partner's own feed: what is addressed to it (escalations, notifications, its
    activities, its refusals); only that partner reads it."""
    return f"{namespace}.out.{partner_id}"
