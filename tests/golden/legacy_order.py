"""The partnership golden log as a record log written before issue 16.

``partnership.record-log.legacy.hex`` is one line per record: the record-log topic
(``lead-log`` or ``agreement-log``), the key, and the value's hex. It was written by
``schemas.codec.encode`` as of commit 203560b (the fingerprint byte-reversed) over the
golden log stamped by ``tests.support.recorded.recorded``; nothing regenerates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LEGACY_LOG = Path(__file__).resolve().parent / "partnership.record-log.legacy.hex"


@dataclass(frozen=True)
class LegacyRecord:
    topic: str  # the record-log topic's suffix
    key: str
    value: bytes


def legacy_records() -> list[LegacyRecord]:
    rows = (line.split("\t") for line in LEGACY_LOG.read_text().splitlines() if line)
    return [LegacyRecord(topic, key, bytes.fromhex(value)) for topic, key, value in rows]
