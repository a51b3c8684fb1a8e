"""Worker settings that decide how fast the group recovers from a crashed worker.

Regression (fault harness, kill -9): with Faust's default 60 s session timeout the
restarted worker waited 58 s in "(Re-)joining group" for the dead member to expire.
"""

from __future__ import annotations

from projections.policy import Policy
from streams.settings import Settings
from streams.wiring import build_app


def test_a_dead_worker_leaves_the_group_within_seconds() -> None:
    conf = build_app(Settings(), Policy()).conf
    assert conf.broker_session_timeout <= 15.0
    # Kafka requires heartbeats well inside the session (a third, by convention).
    assert conf.broker_heartbeat_interval * 3 <= conf.broker_session_timeout
    assert conf.broker_session_timeout <= conf.broker_request_timeout


def test_changelogs_get_the_configured_replication_factor() -> None:
    """Regression: Faust created the changelogs with one replica on a 3-broker cluster,
    so losing the broker holding one lost that table partition."""
    settings = Settings.from_env({"LEADLEDGER_REPLICATION_FACTOR": "3"})
    assert build_app(settings, Policy()).conf.topic_replication_factor == 3


def test_no_standby_replicas_with_the_memory_store() -> None:
    """Regression (fault harness, workers scenario): Faust's memory store deleted a
    standby partition's keys when a recovery ended, and the partition, active again,
    was read from where the standby had stopped: a recovered due clock was lost."""
    memory = build_app(Settings.from_env({"LEADLEDGER_STORE": "memory://"}), Policy())
    assert memory.conf.table_standby_replicas == 0
    rocksdb = build_app(Settings.from_env({"LEADLEDGER_STORE": "rocksdb://"}), Policy())
    assert rocksdb.conf.table_standby_replicas == 1
