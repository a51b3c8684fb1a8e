"""The fault scenarios: worker crash, two workers, broker restart (bad input: badinput.py)."""

from __future__ import annotations

import time

from kafka.errors import KafkaError

from projections.lead.state import to_view
from streams.broker.topics import LEAD_LOG, topic_name
from tests.faults.check import Verdict
from tests.faults.harness import Scenario
from tests.faults.observe import changelog
from tests.faults.procs import HarnessError, Worker, wait_until


def _resumed(sc: Scenario, worker: Worker, since: float, survivors: int) -> float:
    """Seconds from ``since`` until the workers read more than ``survivors`` had read.

    When the killed worker had read and committed everything published so far there is
    nothing to read again: then resumed means the group is serving again (the restarted
    worker holds partitions) with nothing left uncommitted.
    """

    def resumed() -> bool:
        if sc.processed_total() > survivors:
            return True
        return bool(worker.alive() and worker.partitions()) and _nothing_uncommitted(sc)

    wait_until(f"{worker.name} to resume", resumed, worker.log_lines)
    return round(time.monotonic() - since, 1)


def _nothing_uncommitted(sc: Scenario) -> bool:
    try:
        return sc.obs.lag(sc.namespace, [sc.leads_topic]) == 0
    except KafkaError:
        return False  # the broker is back soon; not resumed yet


def worker_crash(sc: Scenario, events: int, rate: float, kills: int = 3) -> Verdict:
    """kill -9 the worker ``kills`` times at random points, one during a rebalance."""
    worker = sc.worker("w1")
    worker.start()
    worker.wait_ready()
    publisher = sc.publisher(events, rate)
    publisher.start()
    points = sorted(sc.rng.uniform(0.1, 0.85) for _ in range(kills))
    during_rebalance = kills // 2
    resume: list[float] = []
    for n, point in enumerate(points):
        sc.wait_sent(publisher, int(point * events))
        if n == during_rebalance:
            joiner = sc.worker("w2")
            sc.kill_during_rebalance(worker, joiner)
            killed, survivors = time.monotonic(), sc.processed_total()
            worker.start()
            resume.append(_resumed(sc, worker, killed, survivors))
            worker.wait_ready()
            joiner.stop()
        else:
            worker.kill9()
            killed = time.monotonic()
            worker.start()
            resume.append(_resumed(sc, worker, killed, 0))
    sc.report.update(
        events=events,
        faults=f"{kills} x kill -9 at {[round(p, 2) for p in points]} of the events "
        f"(#{during_rebalance + 1} while a second worker joined)",
        resume_after_kill_s=resume,
    )
    sc.report["settle_s"] = round(sc.settle(publisher), 1)
    if not worker.alive():
        raise HarnessError(f"the worker died:\n{worker.log_tail()}")
    return sc.check()


def two_workers(sc: Scenario, events: int, rate: float, cycles: int = 3) -> Verdict:
    """Add and remove a second worker ``cycles`` times while events flow."""
    first, second = sc.worker("w1"), sc.worker("w2")
    first.start()
    first.wait_ready()
    all_partitions = sorted(first.partitions())
    publisher = sc.publisher(events, rate)
    publisher.start()
    moves: list[str] = []
    for cycle in range(cycles):
        sc.wait_sent(publisher, int(events * (0.1 + 0.8 * cycle / cycles)))
        joined = time.monotonic()
        second.start()
        wait_until(
            "partitions to move to the second worker",
            lambda: bool(second.partitions()) and len(first.partitions()) < len(all_partitions),
            second.log_lines,
        )
        moved = sorted(second.partitions())
        # Its tables were recovered from the changelogs: it now processes events.
        wait_until(
            "the second worker to process",
            lambda: second.received() > 0 or publisher.sent == events,
            sc.committed,
        )
        took_over = round(time.monotonic() - joined, 1)
        second.stop()
        left = time.monotonic()
        wait_until(
            "the first worker to take all partitions back",
            lambda: sorted(first.partitions()) == all_partitions,
            first.log_lines,
        )
        moves.append(f"{moved} moved in {took_over}s, back in {round(time.monotonic() - left, 1)}s")
    sc.report.update(events=events, faults=f"{cycles} x add/remove a worker", moves=moves)
    sc.report["settle_s"] = round(sc.settle(publisher), 1)
    verdict = sc.check()
    _spot_check_views(sc, first, verdict)
    return verdict


def _spot_check_views(sc: Scenario, worker: Worker, verdict: Verdict, sample: int = 200) -> None:
    """The HTTP view of recovered tables equals replay, for a sample of leads."""
    lead_ids = sorted(verdict.expected)
    for lead_id in sc.rng.sample(lead_ids, min(sample, len(lead_ids))):
        live = worker.get(f"/leads/{lead_id}").json()
        person = live.pop("person", None)  # opened with the lead's key: the email is there
        if not isinstance(person, dict) or "email" not in person:
            verdict.miss("HTTP view does not open the person", f"{lead_id}: {person}")
        if live != to_view(verdict.expected[lead_id]):
            verdict.miss("HTTP view differs from replay", lead_id)
    sc.report["views_checked"] = min(sample, len(lead_ids))
    sc.report["mismatches"] = len(verdict.mismatches)


def broker_restart(sc: Scenario, events: int, rate: float, nodes: list[object]) -> Verdict:
    """Hard-kill one of three brokers while events flow, then restart it."""
    from streams.broker.local_cluster import ClusterNode

    worker = sc.worker("w1")
    worker.start()
    worker.wait_ready()
    publisher = sc.publisher(events, rate)
    publisher.start()
    victim = sc.rng.choice([n for n in nodes if isinstance(n, ClusterNode)])
    sc.wait_sent(publisher, int(events * 0.3))
    at_kill = sc.committed()
    victim.kill()
    killed = time.monotonic()
    sc.wait_committed(at_kill + 1)
    resume_kill = round(time.monotonic() - killed, 1)
    sc.wait_sent(publisher, int(events * 0.5))
    victim.start()  # returns once it accepts connections again
    at_restart = sc.committed()
    restarted = time.monotonic()
    wait_until(
        "processing after the broker restart",
        lambda: sc.committed() > at_restart or sc.committed() >= events,
        sc.committed,
        stall_s=180,
    )
    # When everything was processed while the broker was starting, nothing was waiting.
    resume_restart = round(time.monotonic() - restarted, 1) if at_restart < events else None
    sc.report.update(
        events=events,
        rate=rate,
        faults=f"kill -9 of broker {victim.node_id} of 3, restarted later",
        resume_after_broker_kill_s=resume_kill,
        resume_after_broker_restart_s=resume_restart,
    )
    sc.report["settle_s"] = round(sc.settle(publisher), 1)
    verdict = sc.check()
    lost = publisher.acked - _logged_ids(sc)
    sc.report.update(
        acked=len(publisher.acked), send_failures=publisher.failed, acked_lost=len(lost)
    )
    if lost:
        verdict.miss("acknowledged events lost", f"{len(lost)}: {sorted(lost)[:5]}")
    for name, took in (("kill", resume_kill), ("restart", resume_restart)):
        if took is not None and took > 60:
            verdict.miss(f"processing resumed after the broker {name} in {took}s", "> 60 s")
    if not worker.alive():
        verdict.miss("worker", "died during the broker fault")  # restarts are reported
    for table in ("leads", "deadlines", "escalations"):
        replicas = sc.obs.replication(changelog(sc.namespace, table))
        if replicas < sc.replication_factor:
            verdict.miss("changelog under-replicated", f"{table}: {replicas} replicas")
    sc.report["mismatches"] = len(verdict.mismatches)
    return verdict


def _logged_ids(sc: Scenario) -> set[str]:
    from schemas.codec import DecodeError, decode

    ids = set()
    for record in sc.obs.read(topic_name(LEAD_LOG, sc.namespace)):  # the record log
        try:
            ids.add(decode(record.value or b"").event_id)
        except DecodeError:
            continue
    return ids
