"""Golden logs folded offline with ``replay`` give the expected answers."""

from __future__ import annotations

from datetime import datetime

import pytest

from projections.replay import replay_leads
from tests.golden.load import NAMES, golden


@pytest.mark.parametrize("name", NAMES)
def test_golden_log_replays_to_expected(name: str) -> None:
    case = golden(name)
    as_of = datetime.fromisoformat(case.expected["as_of"].replace("Z", "+00:00"))
    result = replay_leads(case.events, as_of, case.policy)
    states = {
        lead_id: {"status": s.status, "score": s.score, "owner": s.owner}
        for lead_id, s in result.leads.items()
    }
    assert states == case.expected["leads"]
    rows = [{k: row[k] for k in ("rule", "subject", "due_at")} for row in result.escalation_rows()]
    assert rows == case.expected["escalations"]
    assert len(result.rejections) == case.expected["rejections"]


def test_there_are_golden_logs() -> None:
    assert len(NAMES) >= 3
