"""The three ways of docs/partners.md, "Publishing without this repository", on a real
broker: fastavro, Apache's avro package (with the two-line fingerprint fix) and Java's
``BinaryMessageEncoder`` each publish a ``LeadCaptured`` the live worker applies.

The Python blocks run as printed; only their producer is pointed at the test broker, with
the session's credentials (the broker authenticates; a partner's own come with
provisioning), and its ``leadledger.leads`` at this session's namespace.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kafka
import pytest

from schemas.avro_schemas import AVRO_ROOT
from streams.broker.topics import LEADS, topic_name
from tests.docs.test_publishing_without_repo import avro_block, fastavro_block, run_block
from tests.support.avro_java import AvroJava
from tests.support.kafka_auth import kafka_config
from tests.support.kafka_io import producer, publish_raw
from tests.support.live_worker import LiveWorker

pytestmark = pytest.mark.integration


def test_each_way_of_the_partner_docs_is_applied_by_the_worker(
    live_worker: LiveWorker,
    avro_java: AvroJava,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = kafka.KafkaProducer
    leads = topic_name(LEADS, live_worker.namespace)
    opened: list[Any] = []

    class ToTheTestBroker:
        """kafka-python's producer, on the test broker and this session's topics."""

        def __init__(self, **config: Any) -> None:
            self._producer = real(**(config | kafka_config(live_worker.bootstrap)))
            opened.append(self._producer)

        def send(self, topic: str, key: bytes, value: bytes) -> Any:
            assert topic == "leadledger.leads"
            return self._producer.send(leads, key=key, value=value)

    monkeypatch.setattr(kafka, "KafkaProducer", ToTheTestBroker)
    try:
        for way, block in (("fastavro", fastavro_block()), ("avro", avro_block())):
            run_block(block, tmp_path / way)
    finally:
        for opened_producer in opened:
            opened_producer.close()
    (hex_value,) = avro_java.run("PartnerExample", [str(AVRO_ROOT)])
    with producer(live_worker.bootstrap) as prod:
        publish_raw(prod, leads, b"lead-java-1", bytes.fromhex(hex_value))

    for way in ("fastavro", "avro", "java"):
        view = live_worker.wait_for(f"/leads/lead-{way}-1").json()
        assert (view["lead_id"], view["status"], view["person"]) == (
            f"lead-{way}-1",
            "RAW",
            {"email": "ana@example.com"},
        )
