"""The key topic (changelog of ``lead-keys``) read back: its records, and the lead keys.

Replay and export open sealed persons with ``read_keys``: each lead's latest record,
unwrapped with the keyring (``streams.personal_data.keyring``); a lead whose key is
gone was erased (crypto-shredded), and shows as such. ``latest_records`` keeps each
record as it is, for the rotation that rewrites them (``streams.rekey``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from streams.identity.clients import KafkaAccess
from streams.personal_data.key_records import open_key_record
from streams.personal_data.keyring import KeyWrapper
from streams.personal_data.sealing import LeadKey
from streams.readback.partitions import drain, ends_now, reader


@dataclass(frozen=True, slots=True)
class KeyRecord:
    lead_id: str
    partition: int
    offset: int
    key: bytes  # the record key as the table wrote it, rewritten as it is
    value: bytes | None  # None: a tombstone (the lead was erased)


@dataclass(frozen=True, slots=True)
class KeyTopic:
    records: list[KeyRecord]  # each partition's records in offset order
    ends: dict[int, int]  # partition -> its end offset when read

    def latest(self) -> dict[str, KeyRecord]:
        """Each lead's latest record, tombstones included."""
        return {record.lead_id: record for record in self.records}


def read_key_topic(kafka: KafkaAccess, key_topic: str) -> KeyTopic:
    """Every record of the key topic up to its end as of now."""
    consumer = reader(kafka)
    records: list[KeyRecord] = []
    try:
        ends = ends_now(consumer, [key_topic])
        for message in drain(consumer, ends):
            if message.key() is None:
                continue
            lead_id = table_key(message.key())
            records.append(
                KeyRecord(
                    lead_id, message.partition(), message.offset(), message.key(), message.value()
                )
            )
    finally:
        consumer.close()
    records.sort(key=lambda r: (r.partition, r.offset))
    return KeyTopic(records, {partition: end for (_, partition), end in ends.items()})


def latest_records(kafka: KafkaAccess, key_topic: str) -> dict[str, KeyRecord]:
    """Each lead's latest record in the key topic, tombstones included."""
    return read_key_topic(kafka, key_topic).latest()


def read_keys(kafka: KafkaAccess, key_topic: str, keyring: KeyWrapper) -> dict[str, LeadKey]:
    """Every lead key still in the key topic, unwrapped (a tombstone deletes one).

    ``KeyringError`` if a key does not open (a KEK the keyring lacks, altered bytes):
    showing that lead as erased would be a false answer.
    """
    return {
        lead_id: open_key_record(record.value, lead_id, keyring)
        for lead_id, record in latest_records(kafka, key_topic).items()
        if record.value is not None
    }


def table_key(raw: bytes) -> str:
    """A Faust table key as written to its changelog (raw, or JSON-quoted)."""
    text = raw.decode("utf-8", "replace")
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return str(json.loads(text))
    return text
