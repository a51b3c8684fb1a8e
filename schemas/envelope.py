"""The envelope every event carries (design/EVENTS.md), as a pydantic base class.

Each event type subclasses :class:`Envelope`, fixes ``type`` to its own name with a
``Literal`` and types ``data``. The Avro schemas in ``schemas/avro`` are the binding
form of the contract; these models give the Python side its types and validation.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.times import EventTime, UtcDatetime

__all__ = [
    "Envelope",
    "EventTime",
    "Model",
    "NonEmpty",
    "Recorded",
    "SystemEnvelope",
    "UtcDatetime",
]

NonEmpty = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    """Base of every contract model: immutable, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Recorded(Model):
    """What the system stamps on an event when it appends it to the record log.

    ``recorded_at`` is when the system learned of the event (``occurred_at`` is when it
    happened): the two time axes of a bitemporal replay. ``hash`` is the SHA-256 of the
    event with this ``hash`` left out, and it covers ``prev_hash``, the hash of the
    previous recorded event of the same subject: a chain per subject, so an edited,
    removed or reordered event breaks it (``projections.chain``).
    """

    recorded_at: UtcDatetime
    prev_hash: str | None = None
    hash: NonEmpty


class Envelope(Model):
    """Fields common to every event. ``subject`` is the Kafka message key.

    ``record`` is absent on what partners publish and stamped by the system on the
    record log; a partner's own value is never trusted (the recorder replaces it).

    ``source_kind`` is stamped by the admission step (``projections.admission``) with
    ``source``: whether the publisher is one of the own organisation's systems
    (``internal``) or another company (``external``), from the partner registry. It
    travels to the record log, so the folds decide what an external partner may say
    about a lead from the log alone, as an auditor's replay does. Absent (None) on
    events that did not come through admission (operators writing the internal topics);
    then left out of the hash and the export form, which stay as they were.
    """

    event_id: NonEmpty
    type: str
    subject: NonEmpty
    occurred_at: EventTime  # inside the contract's range (schemas/times.py)
    source: NonEmpty
    actor: str | None = None
    source_kind: Literal["internal", "external"] | None = None
    record: Recorded | None = None


class SystemEnvelope(Envelope):
    """What the system itself emits (escalations, clocks, rejections, activities):
    its ``occurred_at`` is an event's time or a clock's due time, which may pass the
    contract's upper bound (a clock started on 2099-12-31), so it is not bounded."""

    occurred_at: UtcDatetime
