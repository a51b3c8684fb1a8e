"""Golden logs through the live worker on a real broker give what replay gives.

The live worker raises clocks on wall time, so the comparison is with a replay up to
now. The logs that need their own policy run in replay only (the session's worker runs
the default policy); the partnership log has its own live test.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from projections.replay import replay_leads
from schemas.events import Event
from schemas.system_events import EscalationRaised
from streams.broker.topics import ESCALATIONS, LEADS, topic_name
from tests.golden.load import NAMES, golden
from tests.support.kafka_io import producer, publish, read_until
from tests.support.live_worker import LiveWorker
from tests.support.views import lead_view

pytestmark = pytest.mark.integration
# Lead-only logs: the partnership and privacy logs also have agreement events, published
# to their own topic in order by tests/integration/test_partnership_live.py and
# test_privacy_live.py.
DEFAULT_POLICY_LOGS = [
    name
    for name in NAMES
    if golden(name).policy_file is None and name not in {"partnership", "privacy"}
]


@pytest.mark.parametrize("name", DEFAULT_POLICY_LOGS)
def test_golden_log_live_equals_replay(live_worker: LiveWorker, name: str) -> None:
    case = golden(name)
    with producer(live_worker.bootstrap) as prod:
        publish(prod, topic_name(LEADS, live_worker.namespace), *case.events)
    expected = replay_leads(case.events, datetime.now(UTC), case.policy)
    subjects = set(expected.leads)
    wanted = {
        (e.data.rule, e.subject, e.data.due_at, e.data.escalation_id) for e in expected.escalations
    }

    def raised(found: list[Event]) -> set[tuple[str, str, datetime, str]]:
        return {
            (e.data.rule, e.subject, e.data.due_at, e.data.escalation_id)
            for e in found
            if isinstance(e, EscalationRaised) and e.subject in subjects
        }

    found = read_until(
        live_worker.bootstrap,
        topic_name(ESCALATIONS, live_worker.namespace),
        lambda f: raised(f) >= wanted,
    )
    assert raised(found) == wanted
    for lead_id, state in expected.leads.items():
        deadline = time.monotonic() + 20
        live = live_worker.wait_for(f"/leads/{lead_id}").json()
        want = lead_view(state, case.events)
        while live != want and time.monotonic() < deadline:
            time.sleep(0.3)
            live = live_worker.wait_for(f"/leads/{lead_id}").json()
        assert live == want, lead_id
