"""A local three-node KRaft cluster from the same jars, for the broker fault tests.

Each node is broker and controller (three voters: the quorum survives one loss), on
its own free ports and data directory, formatted once with one shared cluster id.
Every node authenticates as one, with the same SCRAM users formatted in
(``streams.broker.security``). Topics default to replication factor 3 with
``min.insync.replicas=2``, so a producer with ``acks=all`` is acknowledged only once
two replicas have the record: losing one broker loses nothing acknowledged.
"""

from __future__ import annotations

import uuid
from base64 import urlsafe_b64encode
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from streams.broker.local_broker import LocalKafka
from streams.broker.security import BrokerSecurity

REPLICATION_FACTOR = 3
MIN_INSYNC_REPLICAS = 2

CLUSTER_OVERRIDES = {
    "default.replication.factor": str(REPLICATION_FACTOR),
    "min.insync.replicas": str(MIN_INSYNC_REPLICAS),
    "offsets.topic.replication.factor": str(REPLICATION_FACTOR),
    "transaction.state.log.replication.factor": str(REPLICATION_FACTOR),
    "transaction.state.log.min.isr": str(MIN_INSYNC_REPLICAS),
    "unclean.leader.election.enable": "false",
}


@dataclass
class ClusterNode(LocalKafka):
    node_id: int = 1
    voters: str = ""
    shared_cluster_id: str = ""

    def server_properties(self) -> str:
        own = {"node.id": str(self.node_id), "controller.quorum.voters": self.voters}
        lines = []
        for line in super().server_properties().splitlines():
            key = line.split("=", 1)[0]
            if key not in CLUSTER_OVERRIDES:
                lines.append(f"{key}={own[key]}" if key in own else line)
        lines += [f"{key}={value}" for key, value in CLUSTER_OVERRIDES.items()]
        return "\n".join(lines) + "\n"

    def cluster_id(self) -> str:
        return self.shared_cluster_id


def _new_cluster_id() -> str:
    # Kafka's cluster ids are 16 random bytes, URL-safe base64 without padding.
    return urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


@dataclass
class LocalCluster:
    """Three nodes under ``home``; ``ports`` are (broker, controller) pairs."""

    home: Path
    ports: list[tuple[int, int]]
    jars_dir: Path | None = None
    # The same users and super users on every node: inter-broker traffic authenticates.
    security: BrokerSecurity | None = None
    nodes: list[ClusterNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        voters = ",".join(
            f"{n}@127.0.0.1:{controller}" for n, (_, controller) in enumerate(self.ports, 1)
        )
        cluster_id = _new_cluster_id()
        self.nodes = [
            ClusterNode(
                home=self.home / f"node{n}",
                port=port,
                controller_port=controller,
                jars_dir=self.jars_dir,
                security=self.security,
                node_id=n,
                voters=voters,
                shared_cluster_id=cluster_id,
            )
            for n, (port, controller) in enumerate(self.ports, 1)
        ]

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    def start(self, timeout: float = 120.0) -> None:
        # Together: a node's broker listener opens only once the controller quorum
        # (two of three voters) has formed, so starting them one by one would stall.
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            for future in [pool.submit(node.start, timeout) for node in self.nodes]:
                future.result()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
