"""The deliverer's outbox: one row per (alert id, endpoint), in SQLite under
``$LEADLEDGER_HOME`` (docs/alerts.md#why-a-local-sqlite-outbox).

An alert's rows are written, and the transaction committed to disk, before the alert's
offset is committed on the topic; so a crash reads the alert again (the rows are written
once: ``INSERT OR IGNORE`` on the key) or finds its rows. A row is ``pending`` (with the
time of its next attempt, so a pending retry survives a restart), ``delivered`` (never
sent again) or ``dead`` (retries spent, or its endpoint disabled by a 410; copied to the
dead-letter topic once, then marked so). An attempt's outcome is recorded right after the
endpoint answered: a crash between the two is the one case that sends a row twice, with
the same ``webhook-id``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    record_key BLOB,
    record_value BLOB NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    queued_at REAL NOT NULL,
    finished_at REAL,
    dead_lettered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (alert_id, endpoint)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS disabled_endpoints (
    endpoint TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    disabled_at REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Queued:
    """An alert to queue for one endpoint: the message as read, and the webhook body."""

    alert_id: str
    endpoint: str
    record_key: bytes | None
    record_value: bytes
    body: bytes


@dataclass(frozen=True, slots=True)
class Delivery:
    alert_id: str
    endpoint: str
    record_key: bytes | None
    record_value: bytes
    body: bytes
    attempts: int
    last_error: str | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.alert_id, self.endpoint)


_SELECT = (
    "SELECT alert_id, endpoint, record_key, record_value, body, attempts, last_error"
    " FROM deliveries"
)


def outbox_path(home: Path) -> Path:
    return home / "deliveries.sqlite3"


class Outbox:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        self._db = sqlite3.connect(path, isolation_level=None)
        # WAL with synchronous=FULL: a committed transaction is on disk before commit
        # returns, which is what "recorded before the offset is committed" needs.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        path.chmod(0o600)  # alert bodies name leads and people's roles: owner only

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def queue(self, rows: Iterable[Queued], now: float) -> int:
        """Queue each row unless it is there already; a row for a disabled endpoint is
        queued dead (it goes to the dead-letter topic). Returns how many were new."""
        new = 0
        with self._transaction() as db:
            disabled = dict(db.execute("SELECT endpoint, reason FROM disabled_endpoints"))
            for row in rows:
                reason = disabled.get(row.endpoint)
                cursor = db.execute(
                    "INSERT OR IGNORE INTO deliveries (alert_id, endpoint, record_key,"
                    " record_value, body, state, next_attempt_at, last_error, queued_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row.alert_id,
                        row.endpoint,
                        row.record_key,
                        row.record_value,
                        row.body,
                        "pending" if reason is None else "dead",
                        now,
                        None if reason is None else f"endpoint disabled: {reason}",
                        now,
                    ),
                )
                new += cursor.rowcount
        return new

    def due(self, now: float, limit: int, skip: set[tuple[str, str]]) -> list[Delivery]:
        rows = self._db.execute(
            _SELECT + " WHERE state = 'pending'"
            " AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit + len(skip)),
        ).fetchall()
        found = [Delivery(*row) for row in rows]
        return [d for d in found if d.key not in skip][:limit]

    def next_attempt_at(self) -> float | None:
        row = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'"
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def delivered(self, delivery: Delivery, now: float) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE deliveries SET state = 'delivered', attempts = ?, last_error = NULL,"
                " finished_at = ? WHERE alert_id = ? AND endpoint = ? AND state = 'pending'",
                (delivery.attempts + 1, now, *delivery.key),
            )

    def failed(self, delivery: Delivery, next_at: float | None, now: float, error: str) -> None:
        """One more failed attempt: try again at ``next_at``, or dead when it is None."""
        with self._transaction() as db:
            db.execute(
                "UPDATE deliveries SET attempts = ?, last_error = ?,"
                " state = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END,"
                " next_attempt_at = COALESCE(?, next_attempt_at),"
                " finished_at = CASE WHEN ? IS NULL THEN ? ELSE NULL END"
                " WHERE alert_id = ? AND endpoint = ? AND state = 'pending'",
                (delivery.attempts + 1, error, next_at, next_at, next_at, now, *delivery.key),
            )

    def disable(self, endpoint: str, reason: str, now: float) -> None:
        """The endpoint is gone: nothing more is sent to it; what waits for it is dead."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO disabled_endpoints VALUES (?, ?, ?)",
                (endpoint, reason, now),
            )
            db.execute(
                "UPDATE deliveries SET state = 'dead', last_error = ?, finished_at = ?"
                " WHERE endpoint = ? AND state = 'pending'",
                (f"endpoint disabled: {reason}", now, endpoint),
            )

    def enable(self, endpoint: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM disabled_endpoints WHERE endpoint = ?", (endpoint,))
        return cursor.rowcount > 0

    def disabled(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT endpoint, reason FROM disabled_endpoints"))

    def to_dead_letter(self, limit: int = 100) -> list[Delivery]:
        rows = self._db.execute(
            _SELECT + " WHERE state = 'dead' AND dead_lettered = 0 LIMIT ?",
            (limit,),
        ).fetchall()
        return [Delivery(*row) for row in rows]

    def dead_lettered(self, delivery: Delivery) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE deliveries SET dead_lettered = 1 WHERE alert_id = ? AND endpoint = ?",
                delivery.key,
            )

    def states(self) -> dict[tuple[str, str], str]:
        """(alert id, endpoint) -> state: for ``leadledger deliveries`` and the tests."""
        rows = self._db.execute("SELECT alert_id, endpoint, state FROM deliveries")
        return {(alert, endpoint): state for alert, endpoint, state in rows}

    def counts(self) -> dict[tuple[str, str], int]:
        """(endpoint, state) -> number of rows."""
        rows = self._db.execute(
            "SELECT endpoint, state, COUNT(*) FROM deliveries GROUP BY endpoint, state"
        )
        return {(endpoint, state): int(n) for endpoint, state, n in rows}
