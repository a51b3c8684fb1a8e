"""How the auditor commands show the folds' decisions (``projections/decisions.py``).

``replay --rejections`` prints the refused records as JSON; ``export --outcomes``
writes one JSON line per exported record, in the export's order, saying whether the
fold accepted or refused it. The reasons are shown as the worker put them on the
rejections topic: an ``EventRejected``'s reasons bounded as the agents bound them
(``streams.delivery.rejections.bounded_reasons``), a ``LeadShareRejected``'s as the
fold listed them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from projections.decisions import Decision
from streams.delivery.rejections import bounded_reasons


def shown(decision: Decision) -> dict[str, Any]:
    """The decision's row, its reasons as the rejections topic carries them."""
    row = decision.row()
    if decision.answered_with == "EventRejected":
        row["reasons"] = bounded_reasons(list(decision.reasons))
    return row


def rejection_rows(refused: Iterable[Decision]) -> list[dict[str, Any]]:
    """The ``replay --rejections`` answer, in log order."""
    return [shown(decision) for decision in refused]


def write_outcomes(decisions: Iterable[Decision], out: TextIO) -> None:
    """One line per exported record: ``line`` (its line in the export), the event's
    id, type, subject and time, ``outcome``, and for a refusal its reasons and the
    record that answered it on the rejections topic. Kept out of the export itself,
    which stays an event log that replay and verify read back unchanged."""
    for line, decision in enumerate(decisions, start=1):
        body = {"line": line, **shown(decision), "outcome": decision.verdict}
        out.write(json.dumps(body, separators=(",", ":")) + "\n")
