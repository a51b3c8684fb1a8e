"""A single-node KRaft broker from the Apache Kafka jars, started with ``java``.

The data directory is formatted on the first start only, so the log survives restarts:
it is the system of record.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from streams.broker.jars import KafkaSetupError, default_jars_dir, jars_present
from streams.broker.security import (
    BrokerSecurity,
    add_scram_arguments,
    advertised_listeners,
    listeners,
    security_properties,
)

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller_port}
listeners={listeners}
advertised.listeners={advertised_listeners}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,EXTERNAL:SASL_SSL
inter.broker.listener.name=CLIENT
log.dirs={data_dir}
num.partitions=6
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
# The log cleaner looks for work every second (default 15 s): an erased lead's key
# leaves the compacted key topic soon after its tombstone (docs/auditors.md).
log.cleaner.backoff.ms=1000
"""
"""The broker's settings; ``streams.broker.security`` adds SASL, the authorizer and the
TLS listener (``security_properties``), and ``tests/test_compose.py`` holds
docker-compose.yml to the same settings."""


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def format_arguments(
    cluster_id: str, properties: Path, security: BrokerSecurity | None = None
) -> list[str]:
    """``kafka-storage format`` arguments. The id goes in ``--cluster-id=`` form: a
    URL-safe base64 id starts with ``-`` one time in 64, and as a separate argument the
    tool's parser then reads it as an option and refuses to start. The SCRAM users are
    written into the metadata log here, so they exist from the first start."""
    scram = add_scram_arguments(security) if security is not None else []
    return ["format", f"--cluster-id={cluster_id}", "-c", str(properties), *scram]


@dataclass
class LocalKafka:
    home: Path
    port: int = 9092
    controller_port: int = 9093
    jars_dir: Path | None = None
    # Who may connect, and the users formatted in (streams.broker.security).
    security: BrokerSecurity | None = field(default=None, kw_only=True)
    # Held so the child is reaped by stop(); the CLI's process exits and leaves it running.
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    def _java(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise KafkaSetupError("Java is not on PATH; the local broker needs Java 17 or newer")
        return java

    def _classpath(self) -> str:
        jars = self.jars_dir or default_jars_dir()
        if not jars_present(jars):
            raise KafkaSetupError(
                f"the Kafka jars are absent from {jars}; run `leadledger kafka jars`"
            )
        return f"{jars}/*"

    def pid(self) -> int | None:
        if self._process is not None and self._process.poll() is not None:
            return None  # our own child has exited (a zombie still answers kill 0)
        try:
            pid = int(self.pid_file.read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def _run_java(self, *args: str) -> subprocess.CompletedProcess[str]:
        log4j = resources.files("streams.broker") / "kafka" / "log4j2.properties"
        return subprocess.run(
            [
                self._java(),
                "-cp",
                self._classpath(),
                f"-Dlog4j2.configurationFile={log4j}",
                f"-Dkafka.logs.dir={self.home}",
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    def server_properties(self) -> str:
        """The broker's configuration; a cluster node (``local_cluster``) adds to it."""
        if self.security is None:
            raise KafkaSetupError("the local broker needs its security settings (users)")
        external = self.security.external
        base = SERVER_PROPERTIES.format(
            listeners=listeners(self.port, self.controller_port, external),
            advertised_listeners=advertised_listeners(self.port, external),
            controller_port=self.controller_port,
            data_dir=self.data_dir,
        )
        return base + security_properties(self.security)

    def cluster_id(self) -> str:
        return self._run_java("kafka.tools.StorageTool", "random-uuid").stdout.strip()

    def _format_once(self, properties: Path) -> None:
        if (self.data_dir / "meta.properties").exists():
            return
        cluster = self.cluster_id()
        arguments = format_arguments(cluster, properties, self.security)
        done = self._run_java("kafka.tools.StorageTool", *arguments)
        if done.returncode != 0:
            raise KafkaSetupError(
                f"formatting {self.data_dir} failed: {done.stderr or done.stdout}"
            )

    def start(self, timeout: float = 60.0) -> int:
        """Start (or find running) and wait until the broker accepts connections."""
        if (pid := self.pid()) is not None and port_open(self.port):
            return pid
        java, classpath = self._java(), self._classpath()
        for taken in (self.port, self.controller_port):
            if port_open(taken):
                raise KafkaSetupError(f"port {taken} is already taken by another process")
        self.home.mkdir(parents=True, exist_ok=True)
        properties = self.home / "server.properties"
        # Owner-only: the file holds the broker's own password (its JAAS lines).
        properties.touch(mode=0o600)
        properties.chmod(0o600)
        properties.write_text(self.server_properties())
        self._format_once(properties)
        log4j = resources.files("streams.broker") / "kafka" / "log4j2.properties"
        with (self.home / "stdout.log").open("ab") as out:
            process = subprocess.Popen(
                [
                    java,
                    "-Xms256m",
                    "-Xmx1g",
                    "-cp",
                    classpath,
                    f"-Dlog4j2.configurationFile={log4j}",
                    f"-Dkafka.logs.dir={self.home}",
                    "kafka.Kafka",
                    str(properties),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._process = process
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise KafkaSetupError(f"the broker did not start; last log lines:\n{self._tail()}")
            time.sleep(0.2)
        return process.pid

    def kill(self) -> None:
        """Hard-kill (SIGKILL) the broker, as a crash would; its data stays."""
        pid = self.pid()
        if pid is not None:
            os.killpg(pid, signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=30)
            self._process = None
        self.pid_file.unlink(missing_ok=True)

    def stop(self, timeout: float = 30.0) -> None:
        pid = self.pid()
        if pid is None:
            return
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.pid() is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.pid() is not None:
            os.killpg(pid, signal.SIGKILL)
        if self._process is not None:
            self._process.wait(timeout=timeout)
            self._process = None
        self.pid_file.unlink(missing_ok=True)

    def status(self) -> dict[str, object]:
        pid = self.pid()
        return {
            "running": pid is not None and port_open(self.port),
            "pid": pid,
            "bootstrap": f"127.0.0.1:{self.port}",
            "data_dir": str(self.data_dir),
            "log": str(self.log_file),
        }

    def _tail(self, lines: int = 20) -> str:
        for path in (self.log_file, self.home / "stdout.log"):
            if path.exists():
                return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"
