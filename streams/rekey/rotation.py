"""``leadledger keys rotate``: a new KEK, every lead key re-wrapped under it, then the
old KEKs retired; ``keys status``: which KEK wraps how many keys.

Offline, with the workers stopped. The worker owns the ``lead-keys`` table; a rotation
it applied itself would need a command routed to every partition's owner and a way to
learn when all were done. Written from outside while a worker runs, a re-wrapped key
could land after that worker's erasure tombstone and bring an erased key back. So the
rotation writes the changelog only while the namespace's consumer group has no member,
checked before it starts and again before it retires anything; a worker started
afterwards recovers the re-wrapped keys from the changelog like any other.

The order makes a crash at any point harmless:

1. every live key is opened first: if one does not open, nothing is changed;
2. the new KEK is added to the keyring as current, the old ones kept;
3. each live key (the lead's latest record, unless a tombstone) not yet under the new
   KEK is written again, wrapped by it, to its partition under its record key; a clear
   record from before wrapping is rewritten the same way;
4. the topic is read again: it must hold nothing but what was there and what the
   rotation wrote (else another writer, a worker started despite the check, was at
   work: a lead it erased meanwhile is erased again, and nothing is retired), and
   every live key must open under the new KEK;
5. only then are the old KEKs dropped from the keyring.

Until 5 every record, old or re-wrapped, still opens; running ``keys rotate`` again
adds another KEK and finishes the job. Tombstones are never rewritten, so erased leads
stay erased. The superseded records (old wraps, clear keys) leave the topic when the
broker compacts it (``KEY_TOPIC_CONFIG``: within about a minute of later writes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from streams.identity.clients import KafkaAccess
from streams.personal_data.key_records import kek_of, key_record, open_key_record
from streams.personal_data.keyring import FileKeyring
from streams.readback.key_topic import KeyTopic, latest_records, read_key_topic
from streams.rekey.writer import KeyTopicWriter, ProducerWriter


class RotationRefusedError(RuntimeError):
    """Nothing was retired: a worker is running, or a key is not under the new KEK."""


@dataclass
class Rotation:
    new_kek: str = ""
    rewrapped: int = 0
    were_clear: int = 0
    erased: int = 0  # tombstones, left as they are
    retired: list[str] = field(default_factory=list)


def workers_in_group(kafka: KafkaAccess, group: str) -> int:
    """Members of the worker's consumer group (the Faust app id): 0 when none runs."""
    admin = AdminClient(kafka.confluent())
    try:
        described = admin.describe_consumer_groups([group])[group].result(timeout=30)
    except KafkaException as exc:
        if exc.args and exc.args[0].code() == KafkaError.GROUP_ID_NOT_FOUND:
            return 0
        raise
    return len(described.members)


def _refuse_if_running(kafka: KafkaAccess, group: str) -> None:
    if members := workers_in_group(kafka, group):
        raise RotationRefusedError(
            f"{members} worker(s) in consumer group {group}: stop every worker of the "
            "namespace first (the rotation writes the lead-keys changelog they own)"
        )


def rotate(
    kafka: KafkaAccess,
    key_topic: str,
    group: str,
    keyring: FileKeyring,
    writer: Callable[[], KeyTopicWriter] | None = None,
) -> Rotation:
    """Re-wrap every live lead key under a new KEK, then retire the old KEKs."""
    _refuse_if_running(kafka, group)
    snapshot = read_key_topic(kafka, key_topic)
    records = snapshot.latest()
    live = {lead: r for lead, r in records.items() if r.value is not None}
    for lead_id, record in live.items():  # 1: fails before anything changed
        open_key_record(record.value or b"", lead_id, keyring)
    done = Rotation(erased=len(records) - len(live))
    done.new_kek = keyring.add_kek()  # 2
    out = writer() if writer is not None else ProducerWriter(kafka, key_topic)
    for lead_id, record in live.items():  # 3
        value = record.value or b""
        done.were_clear += kek_of(value) is None
        key = open_key_record(value, lead_id, keyring)
        out.write(record.partition, record.key, key_record(key, lead_id, keyring))
        done.rewrapped += 1
    out.flush()
    after = read_key_topic(kafka, key_topic)  # 4
    _refuse_if_another_writer(snapshot, after, done, out)
    stale = _not_under(after, done.new_kek, keyring)
    if stale:
        raise RotationRefusedError(
            f"{len(stale)} key(s) not under {done.new_kek} after re-wrapping (e.g. "
            f"{stale[:3]}); the old KEKs are kept: run `leadledger keys rotate` again"
        )
    _refuse_if_running(kafka, group)
    done.retired = keyring.retire_all_but(done.new_kek)  # 5
    return done


def _refuse_if_another_writer(
    snapshot: KeyTopic, after: KeyTopic, done: Rotation, out: KeyTopicWriter
) -> None:
    """Refuse if anything but this rotation wrote to the key topic since the snapshot.

    A worker started despite the check may have erased a lead between the snapshot and
    the re-wrap, which then brought the key back: those leads are erased again (a new
    tombstone) before refusing, so an erasure is never undone.
    """
    new_records = [r for r in after.records if r.offset >= snapshot.ends.get(r.partition, 0)]
    if len(new_records) == done.rewrapped:
        return
    erased_since = {r.lead_id for r in new_records if r.value is None}
    latest = after.latest()
    revived = [latest[lead] for lead in sorted(erased_since) if latest[lead].value is not None]
    for record in revived:
        out.write(record.partition, record.key, None)
    out.flush()
    raise RotationRefusedError(
        f"{len(new_records) - done.rewrapped} record(s) written to the key topic by another "
        f"writer during the rotation (a worker?); {len(revived)} erased key(s) written back "
        "were erased again; the old KEKs are kept: stop every worker and run it again"
    )


def _not_under(topic: KeyTopic, kek_id: str, keyring: FileKeyring) -> list[str]:
    stale = []
    for lead_id, record in topic.latest().items():
        if record.value is None:
            continue
        if kek_of(record.value) != kek_id:
            stale.append(lead_id)
        else:
            open_key_record(record.value, lead_id, keyring)  # raises if it does not open
    return stale


def status(kafka: KafkaAccess, key_topic: str) -> Counter[str]:
    """Live lead keys by the KEK that wraps them (``clear`` for keys from before wrapping)."""
    counts: Counter[str] = Counter()
    for record in latest_records(kafka, key_topic).values():
        if record.value is not None:
            counts[kek_of(record.value) or "clear"] += 1
    return counts
