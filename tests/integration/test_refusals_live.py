"""Refusals on the real broker, with a real worker (issue 17, items 3 and 4).

Accepted and refused events are published live: an activity for a lead that does not
exist, a status change the funnel forbids, a share under no agreement (answered with a
``LeadShareRejected``), a signature of no agreement, and a mis-keyed capture, refused
before the fold. What the worker put on the rejections topic for the records of the
record log must be what ``replay kafka --rejections`` lists: the same event ids, the
same reasons. The mis-keyed capture is on the rejections topic only. ``export
--outcomes`` marks each line, and ``verify kafka`` counts the same accepted and refused.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from schemas.codec import decode, encode
from schemas.events import Event
from schemas.system_events import EventRejected, LeadShareRejected
from streams.broker.topics import AGREEMENT_LOG, AGREEMENTS, LEAD_LOG, LEADS, REJECTIONS, topic_name
from streams.cli.main import cli
from tests.support.agreements import Agreement
from tests.support.kafka_io import producer, publish, publish_raw, read_raw_to_end, read_until
from tests.support.leads import Lead, at
from tests.support.live_worker import LiveWorker
from tests.support.partners import SharedLead

pytestmark = pytest.mark.integration
RUN = uuid.uuid4().hex[:6]
AS_OF = "2026-12-01T00:00:00Z"


def live_refusals(live_worker: LiveWorker, ids: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Event id -> (the rejection's type, its reasons), off the live rejections topic,
    once every id in ``ids`` has one."""
    found: dict[str, tuple[str, list[str]]] = {}

    def done(events: list[Event]) -> bool:
        for e in events:
            if isinstance(e, EventRejected) and e.data.rejected_event_id in ids:
                found[e.data.rejected_event_id] = ("EventRejected", e.data.reasons)
            elif isinstance(e, LeadShareRejected) and e.data.share_event_id in ids:
                found[e.data.share_event_id] = ("LeadShareRejected", e.data.reasons)
        return set(found) == ids

    topic = topic_name(REJECTIONS, live_worker.namespace)
    read_until(live_worker.bootstrap, topic, done, 60)
    assert set(found) == ids, live_worker.log_tail()
    return found


def recorded_ids(live_worker: LiveWorker, wanted: set[str]) -> set[str]:
    """The event ids on the record log, once every id in ``wanted`` is there."""
    deadline = time.monotonic() + 60
    while True:
        found = set()
        for spec in (LEAD_LOG, AGREEMENT_LOG):
            log = read_raw_to_end(live_worker.bootstrap, topic_name(spec, live_worker.namespace))
            found |= {decode(value, as_recorded=True).event_id for _, value in log}
        if wanted <= found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def cli_run(monkeypatch: pytest.MonkeyPatch, live_worker: LiveWorker, *args: str) -> Any:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", live_worker.bootstrap)
    monkeypatch.setenv("LEADLEDGER_NAMESPACE", live_worker.namespace)
    monkeypatch.setenv("LEADLEDGER_HOME", str(live_worker.home))  # the worker's keyring
    return CliRunner().invoke(cli, list(args))


def test_replay_kafka_lists_what_the_worker_refused_with_its_reasons(
    live_worker: LiveWorker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    one, ghost = Lead(f"L-ok-{RUN}"), Lead(f"L-ghost-{RUN}")
    shared, stranger = SharedLead(f"L-share-{RUN}"), Lead(f"L-miskeyed-{RUN}")
    captured, activity = one.captured(), one.activity(at(1), points=10)
    nowhere, forbidden = ghost.activity(at(2)), one.status(at(3), "SQL")
    shared_capture = shared.captured(at(0))
    share = shared.shared(at(4), ag=f"AG-none-{RUN}")
    unsigned = Agreement(f"AG-ghost-{RUN}").signed(at(5), "gen")
    miskeyed = stranger.captured()
    leads = topic_name(LEADS, live_worker.namespace)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, leads, captured, activity, nowhere, forbidden, shared_capture, share)
        publish(prod, topic_name(AGREEMENTS, live_worker.namespace), unsigned)
        publish_raw(prod, leads, b"someone-else", encode(miskeyed))

    refused = {nowhere.event_id, forbidden.event_id, share.event_id, unsigned.event_id}
    accepted = {captured.event_id, activity.event_id, shared_capture.event_id}
    live = live_refusals(live_worker, refused | {miskeyed.event_id})
    on_log = recorded_ids(live_worker, refused | accepted)
    assert refused | accepted <= on_log  # the record log holds the refused events too
    assert miskeyed.event_id not in on_log  # refused before the fold: rejections only
    assert live[share.event_id][0] == "LeadShareRejected"

    listed = cli_run(monkeypatch, live_worker, "replay", "kafka", "--as-of", AS_OF, "--rejections")
    assert listed.exit_code == 0, listed.stderr
    ours = refused | accepted | {miskeyed.event_id}
    rows = [row for row in json.loads(listed.stdout) if row["event_id"] in ours]
    replayed = {row["event_id"]: (row["answered_with"], row["reasons"]) for row in rows}
    assert replayed == {i: live[i] for i in refused}  # same ids, same reasons, byte for byte
    assert {row["event_id"]: row["type"] for row in rows} == {
        nowhere.event_id: "LeadActivity",
        forbidden.event_id: "LeadStatusChanged",
        share.event_id: "LeadShared",
        unsigned.event_id: "AgreementSigned",
    }
    # Up to a time: only what occurred by then (the ghost's activity, at +2 h).
    early = cli_run(
        monkeypatch,
        live_worker,
        "replay",
        "kafka",
        "--as-of",
        "2026-11-02T11:30:00Z",
        "--rejections",
    )
    assert [r["event_id"] for r in json.loads(early.stdout) if r["event_id"] in ours] == [
        nowhere.event_id
    ]

    out, outcomes = tmp_path / "record.jsonl", tmp_path / "outcomes.jsonl"
    exported = cli_run(
        monkeypatch, live_worker, "export", "--out", str(out), "--outcomes", str(outcomes)
    )
    assert exported.exit_code == 0, exported.stderr
    lines = [json.loads(line) for line in outcomes.read_text().splitlines()]
    marked = {n["event_id"]: n["outcome"] for n in lines if n["event_id"] in ours}
    assert marked == dict.fromkeys(refused, "refused") | dict.fromkeys(accepted, "accepted")
    exported_ids = [json.loads(line)["event_id"] for line in out.read_text().splitlines()]
    assert exported_ids == [n["event_id"] for n in lines]  # line for line

    tally = Counter(n["outcome"] for n in lines)
    expected = f"({tally['accepted']} accepted, {tally['refused']} refused"
    for verified in (
        cli_run(monkeypatch, live_worker, "verify", "kafka"),
        cli_run(monkeypatch, live_worker, "verify", str(out)),
    ):
        assert verified.exit_code == 0, verified.stdout
        assert verified.stdout.startswith(f"history intact: {len(lines)} events {expected}")
