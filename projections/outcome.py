"""What one event or clock did to an aggregate, the same shape for every fold.

Lead, agreement and dispute folds return an :class:`Outcome` of their own state type;
a handler refuses an event by raising :class:`Refused`, and the fold turns that into
an outcome with a ``rejection`` and the state unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from schemas.envelope import Envelope

S = TypeVar("S")


# Each fold subclasses ``Outcome[ItsState]``: calling a parametrised alias directly
# costs ~0.8 us more per outcome, and cannot set ``__orig_class__`` on a slotted one.
@dataclass(frozen=True, slots=True)
class Outcome(Generic[S]):
    state: S | None
    emitted: tuple[Envelope, ...] = ()
    rejection: str | None = None
    duplicate: bool = False


class Refused(Exception):  # noqa: N818 - a refusal is an outcome, not an error
    """Raised inside a handler to refuse an event; the state stays as it was."""
