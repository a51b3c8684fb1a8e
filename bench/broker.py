"""The bench's own broker (free ports, temp dir) and Kafka's own perf tools.

The perf tools come from ``org.apache.kafka:kafka-tools`` on Maven Central
(``bench/kafka_tools/pom.xml``), fetched once into the same cache as the broker jars.
They run with their own client jars on their own classpath, against the 4.4.0 broker.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.admin import NewTopic

from bench.access import operator_access
from streams import local_auth
from streams.broker.jars import CACHE, COMPLETE_MARKER, ensure_jars
from streams.broker.local_broker import SERVER_PROPERTIES, LocalKafka
from streams.broker.security import advertised_listeners, listeners
from streams.identity.credentials import OPERATOR

TOOLS_POM = Path(__file__).parent / "kafka_tools" / "pom.xml"
TOOLS_VERSION = re.search(
    r"<artifactId>kafka-tools</artifactId>\s*<version>([^<]+)<", TOOLS_POM.read_text()
)[1]  # type: ignore[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """This process and what it starts see ``values`` meanwhile (then as before)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def cluster_broker(home: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A fresh local 3-broker cluster (replication factor 3, ``min.insync.replicas`` 2,
    ``streams/broker/local_cluster.py``), authenticating like every local broker; always
    stopped on the way out. Yields its bootstrap and the environment its clients need:
    the operator's credentials and ``LEADLEDGER_REPLICATION_FACTOR=3`` (use it with
    :func:`environment`)."""
    ports = [(free_port(), free_port()) for _ in range(3)]
    cluster, credentials = local_auth.local_cluster(home, ports, ensure_jars())
    bootstrap = cluster.bootstrap
    env = local_auth.principal_access(bootstrap, credentials, OPERATOR).environment()
    del env["KAFKA_BOOTSTRAP_SERVERS"]
    env["LEADLEDGER_REPLICATION_FACTOR"] = "3"
    cluster.start()
    try:
        yield bootstrap, env
    finally:
        cluster.stop()


@contextmanager
def local_broker(home: Path) -> Iterator[str]:
    """A fresh single-node broker on free ports, authenticating like every local broker;
    always stopped on the way out. While it runs, this process and the workers and
    tools it starts connect as its operator (``KAFKA_SASL_*``, streams/identity/clients.py)."""
    broker, credentials = local_auth.local_kafka(home, free_port(), free_port(), ensure_jars())
    bootstrap = f"127.0.0.1:{broker.port}"
    operator = local_auth.principal_access(bootstrap, credentials, OPERATOR).environment()
    del operator["KAFKA_BOOTSTRAP_SERVERS"]
    saved = {name: os.environ.get(name) for name in operator}
    broker.start()
    os.environ.update(operator)
    try:
        yield bootstrap
    finally:
        broker.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _PlaintextKafka(LocalKafka):
    """The local broker's settings without SASL and the authorizer."""

    def server_properties(self) -> str:
        secured = "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
        assert secured in SERVER_PROPERTIES
        return SERVER_PROPERTIES.replace(secured, "CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT").format(
            listeners=listeners(self.port, self.controller_port, None),
            advertised_listeners=advertised_listeners(self.port, None),
            controller_port=self.controller_port,
            data_dir=self.data_dir,
        )


@contextmanager
def plaintext_broker(home: Path) -> Iterator[str]:
    """A single-node broker as brokers were before they authenticated: PLAINTEXT, no
    authorizer. For before/after figures (``bench.live_only --baseline``) only; use it
    inside :func:`without_credentials`, so clients connect to it without SASL."""
    broker = _PlaintextKafka(
        home=home, port=free_port(), controller_port=free_port(), jars_dir=ensure_jars()
    )
    broker.start()
    try:
        yield f"127.0.0.1:{broker.port}"
    finally:
        broker.stop()


SASL_ENVIRONMENT = (
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_SASL_MECHANISM",
    "KAFKA_SASL_USERNAME",
    "KAFKA_SASL_PASSWORD",
    "KAFKA_SSL_CAFILE",
)


@contextmanager
def without_credentials() -> Iterator[None]:
    """This process and what it starts connect without SASL meanwhile (a plaintext
    broker: streams/identity/clients.py falls back to PLAINTEXT)."""
    saved = {name: os.environ.pop(name, None) for name in SASL_ENVIRONMENT}
    try:
        yield
    finally:
        os.environ.update({name: value for name, value in saved.items() if value is not None})


def client_properties(bootstrap: str) -> list[str]:
    """The Java clients' ``key=value`` settings for the same access as ours."""
    kafka = operator_access(bootstrap)
    props = [f"bootstrap.servers={bootstrap}", f"security.protocol={kafka.security_protocol}"]
    if kafka.sasl:
        login = "org.apache.kafka.common.security.scram.ScramLoginModule"
        jaas = f'{login} required username="{kafka.username}" password="{kafka.password}";'
        props += [f"sasl.mechanism={kafka.sasl_mechanism}", f"sasl.jaas.config={jaas}"]
    if kafka.tls and kafka.ssl_cafile:
        props += ["ssl.truststore.type=PEM", f"ssl.truststore.location={kafka.ssl_cafile}"]
    return props


@contextmanager
def command_config(bootstrap: str) -> Iterator[str]:
    """A client properties file for the perf tools, owner-only (it holds a password)
    and removed once the tool has run."""
    with tempfile.TemporaryDirectory(prefix="bench-client-") as directory:
        path = Path(directory) / "client.properties"
        path.write_text("\n".join(client_properties(bootstrap)) + "\n")
        path.chmod(0o600)
        yield str(path)


def create_topic(bootstrap: str, name: str, partitions: int = 6) -> None:
    """Create ``name`` and wait until the broker serves it (a producer that asks for it
    earlier can stall on stale metadata)."""
    admin = KafkaAdminClient(**operator_access(bootstrap).kafka_python(), client_id="bench-admin")
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        admin.close()
    wait_for_topic(bootstrap, name, partitions)


def wait_for_topic(bootstrap: str, name: str, partitions: int = 6) -> None:
    admin = KafkaAdminClient(**operator_access(bootstrap).kafka_python(), client_id="bench-admin")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            described = admin.describe_topics([name])
            ready = described and len(described[0]["partitions"]) == partitions
            if ready and all(p.get("leader_id", -1) >= 0 for p in described[0]["partitions"]):
                return
            time.sleep(0.2)
        raise RuntimeError(f"topic {name} did not come up")
    finally:
        admin.close()


def tools_jars() -> Path:
    jars = CACHE / f"kafka-tools-{TOOLS_VERSION}" / "libs"
    if (jars / COMPLETE_MARKER).exists():
        return jars
    mvn = shutil.which("mvn") or "mvn"
    command = [mvn, "-q", "-B", "-f", str(TOOLS_POM), "dependency:copy-dependencies"]
    subprocess.run([*command, f"-DoutputDirectory={jars}"], check=True, capture_output=True)
    (jars / COMPLETE_MARKER).write_text(TOOLS_VERSION)
    return jars


def _java_tool(main_class: str, *args: str) -> str:
    java = shutil.which("java") or "java"
    command = [java, "-Xmx512m", "-cp", f"{tools_jars()}/*", main_class, *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{main_class} failed: {done.stderr[-1500:]}")
    return done.stdout


@dataclass(frozen=True)
class ToolResult:
    records_per_s: float
    mb_per_s: float
    p99_ms: float | None = None


def producer_perf(bootstrap: str, topic: str, records: int, record_size: int) -> ToolResult:
    """``kafka-producer-perf-test``: acks=all like the worker, default batching."""
    with command_config(bootstrap) as config:
        out = _java_tool(
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic", topic,
            "--num-records", str(records),
            "--record-size", str(record_size),
            "--throughput", "-1",
            "--command-config", config,
            "--producer-props", "acks=all",
        )  # fmt: skip
    # "... records sent, 123.4 records/sec (0.01 MB/sec), 1.2 ms avg latency, ...,
    #  3 ms 50th, 5 ms 95th, 7 ms 99th, 9 ms 99.9th."
    final = out.strip().splitlines()[-1]
    rate = re.search(r"([\d.]+) records/sec \(([\d.]+) MB/sec\)", final)
    p99 = re.search(r"(\d+) ms 99th", final)
    if rate is None:
        raise RuntimeError(f"unexpected ProducerPerformance output: {final}")
    return ToolResult(float(rate[1]), float(rate[2]), float(p99[1]) if p99 else None)


def consumer_perf(bootstrap: str, topic: str, records: int) -> ToolResult:
    """``kafka-consumer-perf-test`` over what the producer tool wrote."""
    with command_config(bootstrap) as config:
        out = _java_tool(
            "org.apache.kafka.tools.ConsumerPerformance",
            "--bootstrap-server", bootstrap,
            "--command-config", config,
            "--topic", topic,
            "--messages", str(records),
            "--timeout", "60000",
        )  # fmt: skip
    # header line, then: start.time, end.time, data.consumed.in.MB, MB.sec,
    # data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ...
    lines = [line for line in out.strip().splitlines() if line and line[0].isdigit()]
    fields = [field.strip() for field in lines[-1].split(",")]
    mb_per_s, _, _, _, fetch_ms = (float(f) for f in fields[3:8])
    consumed = float(fields[4])
    return ToolResult(consumed / (fetch_ms / 1000) if fetch_ms else float(fields[5]), mb_per_s)
