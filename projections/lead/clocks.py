"""What a lead's clocks do when they run out (``advance``), on event time.

A limit is exclusive: a clock due at or before ``now`` fires, earliest first. Lead rules
alert (``SAL_NOT_CONVERTED`` also reassigns); partner rules alert both partners.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from projections.lead.sharing.clocks import PARTNER_CLOCKS
from projections.lead.state import LeadState
from projections.lead.step import Outcome, Step
from projections.policy import Policy
from schemas.envelope import Envelope


def advance(state: LeadState, now: datetime, policy: Policy, *, outputs: bool = True) -> Outcome:
    """Fire every open clock due at or before ``now`` (a limit is exclusive); without
    ``outputs``, the output-only events are not built (``Step.outputs``)."""
    if not any(c.due_at <= now for c in state.clocks):
        return Outcome(state)  # the usual case; the sort below was ~8% of a replay
    emitted: list[Envelope] = []
    while due := sorted(
        (c for c in state.clocks if c.due_at <= now), key=lambda c: (c.due_at, c.rule)
    ):
        clock = due[0]
        step = Step(state, policy, clock.due_at, clock.clock_id, outputs=outputs)
        if clock.rule == "SAL_NOT_CONVERTED":
            _reassign(step, clock)
        elif clock.rule in PARTNER_CLOCKS:
            PARTNER_CLOCKS[clock.rule](step, clock)
        else:
            step.escalate(
                clock, None, {"owner": state.owner or "unassigned", "status": state.status}
            )
        state = step.state
        emitted.extend(step.emitted)
    return Outcome(state, tuple(emitted))


def _reassign(step: Step, clock: Any) -> None:
    """Alert, and hand the lead round-robin to the next rep of the roster (never the same)."""
    roster, owner = step.policy.sales_roster, step.state.owner
    candidates = [rep for rep in roster if rep != owner]
    if not candidates:
        step.escalate(clock, None, {"owner": owner or "unassigned", "status": step.state.status})
        return
    after = roster.index(owner) + 1 if owner in roster else 0
    new_owner = next(rep for rep in roster[after:] + roster[:after] if rep != owner)
    step.escalate(clock, "reassign", {"owner": owner or "unassigned", "new_owner": new_owner})
    step.set_owner(new_owner, "SAL_NOT_CONVERTED: reassigned round-robin")
    # The new rep gets a full conversion period of their own.
    step.start_clock("SAL_NOT_CONVERTED")
