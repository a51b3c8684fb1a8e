"""The shell around the partner view: the agent folds only a partner's own activities,
and the timer's backlog check (streams/delivery/backlog.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from projections.compliance.partner import partner_privacy, privacy_from_json
from projections.partner_view.state import view_from_json
from schemas.codec import encode
from streams.agents.partner import apply_activity
from streams.delivery.backlog import has_backlog, note_applied
from streams.runtime import Runtime
from tests.support.partners import SharedLead, at, run


def fake_runtime(highwater: int = 0) -> Runtime:
    consumer = SimpleNamespace(highwater=lambda tp: highwater)
    rt: Any = SimpleNamespace(
        partners={}, privacy={}, applied_offsets={}, app=SimpleNamespace(consumer=consumer)
    )
    return cast(Runtime, rt)


def test_the_agent_folds_each_partners_activity_into_its_own_row() -> None:
    lead = SharedLead()
    activities = run([lead.captured(), lead.consent(at(1)), lead.shared(at(2))]).activities()
    rt = fake_runtime()
    for activity in activities:
        assert apply_activity(rt, activity.subject.encode(), encode(activity))
    assert set(rt.partners) == {"gen", "rec"}
    assert [link.lead_id for link in view_from_json(rt.partners["rec"]).received] == ["L1"]
    assert view_from_json(rt.partners["gen"]).received == ()
    # The same agent keeps the compliance row: rec holds L1's personal data, gen none.
    assert partner_privacy(privacy_from_json(rt.privacy["rec"]))["holds_leads"] == ["L1"]
    assert partner_privacy(privacy_from_json(rt.privacy["gen"]))["holds_leads"] == []


def test_the_agent_skips_a_message_keyed_to_another_partner_or_not_an_activity() -> None:
    lead = SharedLead()
    activity = run([lead.captured(), lead.consent(at(1)), lead.shared(at(2))]).activities()[0]
    rt = fake_runtime()
    assert not apply_activity(rt, b"someone-else", encode(activity))
    assert not apply_activity(rt, b"L1", encode(lead.captured()))
    assert not apply_activity(rt, b"x", b"not avro")
    assert rt.partners == {}


def test_backlog_while_fetched_offsets_are_not_applied() -> None:
    rt = fake_runtime(highwater=10)
    assert not has_backlog(rt, "t.leads", 3)  # nothing applied in this run yet
    note_applied(rt, "t.leads", 3, 5)
    assert has_backlog(rt, "t.leads", 3)  # offsets 6..9 fetched, not applied
    note_applied(rt, "t.leads", 3, 9)
    assert not has_backlog(rt, "t.leads", 3)
