"""Build the Faust app: topics and tables from the registry, then agents, timer, views.

A plain function rather than module-level globals, so tests build an app with their
own settings (namespace, store, port) and the worker builds the one in ``streams.app``.
"""

from __future__ import annotations

from typing import Any

import faust

from projections.policy import Policy
from streams import log_level
from streams.admission import tasks as admission
from streams.agents import agreement as agreement_agent
from streams.agents import clock as clock_agent
from streams.agents import janitor
from streams.agents import lead as lead_agent
from streams.agents import partner as partner_agent
from streams.broker.topics import (
    AGREEMENT_LOG,
    AGREEMENTS,
    CLOCKS,
    ESCALATIONS,
    KEY_TABLE,
    LEAD_LOG,
    LEADS,
    NOTIFICATIONS,
    PARTNER_ACTIVITY,
    REJECTIONS,
    TopicSpec,
    topic_name,
)
from streams.delivery import ack_guard, commit_guard, commit_watchdog, table_writes
from streams.delivery.direct_send import DirectTopic
from streams.identity import clients
from streams.observability.exits import exits_path
from streams.personal_data.keyring import FileKeyring
from streams.runtime import Runtime
from streams.settings import Settings
from streams.state.agreement_book import AgreementBookFollower
from streams.web import agreements as agreement_views
from streams.web import events as event_door
from streams.web import http_log, metrics, views
from streams.web import partners as partner_views
from streams.web import privacy as privacy_views
from streams.web.access import Gate
from streams.web.dashboard import pages as dashboard_pages


def broker_urls(bootstrap_servers: str) -> list[str]:
    return [
        f"kafka://{server.strip()}" for server in bootstrap_servers.split(",") if server.strip()
    ]


def _raw_topic(app: Any, spec: TopicSpec, namespace: str) -> Any:
    # Bytes in, bytes out: decoding is ours, so a bad message becomes a rejection with
    # its reason instead of an error inside Faust's deserializer.
    # Sent to without Faust's per-message wrapping (streams/delivery/direct_send.py).
    return DirectTopic(
        app,
        topics=[topic_name(spec, namespace)],
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=spec.partitions,
    )


def _bytes_table(app: Any, name: str, help_text: str) -> Any:
    # Raw bytes both ways: the state's own JSON codec (projections) is the format.
    schema: Any = faust.Schema(
        key_type=str, value_type=bytes, key_serializer="raw", value_serializer="raw"
    )
    # key_type/value_type too: Faust picks the *changelog* serializers from them, and
    # without them it writes json and recovers the state as a dict, not bytes.
    return app.Table(
        name,
        schema=schema,
        key_type=str,
        value_type=bytes,
        partitions=LEADS.partitions,
        help=help_text,
    )


def build_app(settings: Settings, policy: Policy) -> Any:
    ack_guard.install()  # only finished handlings acknowledge (streams/delivery/ack_guard.py)
    commit_guard.install()  # commits pass only handled or absent offsets (commit_guard.py)
    table_writes.install()  # acks wait for the handling's table writes (table_writes.py)
    # The worker's identity on the bus (streams/identity/clients.py): every client it
    # opens (Faust's, the janitor's, the watchdog's, the agreement book's) uses it.
    kafka = clients.access(settings.bootstrap_servers, role="worker", home=settings.home)
    app = faust.App(
        settings.app_id,
        broker=broker_urls(settings.bootstrap_servers),
        broker_credentials=kafka.faust_credentials(),
        store=settings.store,
        topic_partitions=LEADS.partitions,
        topic_allow_declare=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        autodiscover=False,
        producer_acks=-1,
        consumer_auto_offset_reset="earliest",
        # Faust's 60 s default keeps a kill -9'd worker in the group for a minute: its
        # partitions stand still until then. 10 s (heartbeat every 3 s) resumes sooner.
        broker_session_timeout=10.0,
        broker_heartbeat_interval=3.0,
        # Faust creates the changelogs itself, with its default of one replica unless told.
        topic_replication_factor=settings.replication_factor,
        # Standby replicas only with a store that keeps them. Faust's memory store
        # deletes every key of a partition that is not active when a recovery ends,
        # standbys' included, while Faust remembers how far the standby had read; when
        # the partition became active again it resumed from there, and what it had
        # deleted was gone (the workers scenario lost a due clock that way). Without a
        # standby a returning partition is read again from the changelog's start.
        table_standby_replicas=1 if settings.store.startswith("rocksdb") else 0,
    )
    rt = Runtime(
        app=app,
        kafka=kafka,
        settings=settings,
        policy=policy,
        leads_topic=_raw_topic(app, LEADS, settings.namespace),
        clocks_topic=_raw_topic(app, CLOCKS, settings.namespace),
        rejections_topic=_raw_topic(app, REJECTIONS, settings.namespace),
        escalations_topic=_raw_topic(app, ESCALATIONS, settings.namespace),
        notifications_topic=_raw_topic(app, NOTIFICATIONS, settings.namespace),
        leads=_bytes_table(app, "leads", "Lead state by lead id (projections.lead.fold)."),
        deadlines=_bytes_table(app, "deadlines", "Open deadlines by partition and due minute."),
        escalations=_bytes_table(app, "escalations", "Raised escalations by escalation id."),
    )
    rt.agreements_topic = _raw_topic(app, AGREEMENTS, settings.namespace)
    rt.partner_activity_topic = _raw_topic(app, PARTNER_ACTIVITY, settings.namespace)
    rt.lead_log_topic = _raw_topic(app, LEAD_LOG, settings.namespace)
    rt.agreement_log_topic = _raw_topic(app, AGREEMENT_LOG, settings.namespace)
    rt.lead_keys = _bytes_table(
        app, KEY_TABLE, "Each lead's personal-data key, wrapped by the keyring's KEK."
    )
    rt.keyring = FileKeyring(settings.keyring_path)
    rt.lead_persons = _bytes_table(app, "lead-persons", "Sealed person by lead id, for views.")
    rt.chain_heads = _bytes_table(app, "chain-heads", "Hash-chain head by subject (recorder).")
    rt.agreements = _bytes_table(
        app, "agreements", "Agreement state by id (projections.agreement.fold)."
    )
    rt.disputes = _bytes_table(app, "disputes", "Dispute state by id (projections.dispute.fold).")
    rt.partners = _bytes_table(
        app, "partners", "Partner view by id (projections.partner_view.fold)."
    )
    rt.privacy = _bytes_table(
        app,
        "privacy",
        "Whose personal data each partner holds (projections.compliance.partner).",
    )
    rt.book = AgreementBookFollower(kafka.aiokafka(), rt.agreements_topic.get_topic_name(), policy)
    rt.gate = Gate(settings)
    lead_agent.register(rt)
    janitor.register(rt)
    agreement_agent.register(rt)
    clock_agent.register(rt)
    views.register(rt)
    metrics.register(rt)
    agreement_views.register(rt)
    partner_agent.register(rt)
    dashboard_pages.register(rt)  # before partner_views: /partners/{id}/dashboard first
    partner_views.register(rt)
    admission.register(rt)
    event_door.register(rt)
    privacy_views.register(rt)
    log_level.install(app)
    http_log.install()
    commit_watchdog.install(
        app,
        settings.commit_stall_seconds,
        kafka.aiokafka(),
        exits_file=exits_path(settings.home),
        namespace=settings.namespace,
    )
    ack_guard.register(app)
    commit_guard.watch(
        {
            topic.get_topic_name()
            for topic in (
                rt.leads_topic,
                rt.agreements_topic,
                rt.clocks_topic,
                rt.partner_activity_topic,
            )
        }
    )
    commit_guard.register(app)
    app.leadledger = rt  # type: ignore[attr-defined]  # reachable from tests and the CLI
    return app
