"""The publish-topic janitor deletes below the admission group's committed offset, on
publish topics only, and asks again only when that offset moved."""

from __future__ import annotations

from aiokafka import TopicPartition

from streams.admission.janitor import deletable


def test_only_publish_topics_whose_commit_moved() -> None:
    acme0, acme1 = TopicPartition("ns.in.acme", 0), TopicPartition("ns.in.acme", 1)
    leads, other = TopicPartition("ns.leads", 0), TopicPartition("xx.in.acme", 0)
    committed = {acme0: 10, acme1: 4, leads: 99, other: 5}
    assert deletable(committed, {}, "ns") == {acme0: 10, acme1: 4}
    assert deletable(committed, {acme0: 10, acme1: 3}, "ns") == {acme1: 4}
    assert deletable({acme0: 0}, {}, "ns") == {}
