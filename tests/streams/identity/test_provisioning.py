"""The grant a partner gets, as data: its own publish topic, its own feed, its own
consumer groups, and nothing else."""

from __future__ import annotations

from kafka.admin import ACLOperation, ACLPermissionType, ACLResourcePatternType, ResourceType

from streams.broker.topics import feed_topic_name, publish_topic_name
from streams.identity.provisioning import group_prefix, partner_acls


def _rows(partner: str) -> set[tuple[str, str, str, str, str]]:
    acls = partner_acls(
        "ns", partner, publish_topic_name("ns", partner), feed_topic_name("ns", partner)
    )
    assert {a.permission_type for a in acls} == {ACLPermissionType.ALLOW}
    return {
        (
            a.principal,
            a.operation.name,
            a.resource_pattern.resource_type.name,
            a.resource_pattern.resource_name,
            a.resource_pattern.pattern_type.name,
        )
        for a in acls
    }


def test_a_partner_may_write_its_topic_read_its_feed_and_use_its_groups_only() -> None:
    assert _rows("acme") == {
        ("User:acme", "WRITE", "TOPIC", "ns.in.acme", "LITERAL"),
        ("User:acme", "DESCRIBE", "TOPIC", "ns.in.acme", "LITERAL"),
        ("User:acme", "READ", "TOPIC", "ns.out.acme", "LITERAL"),
        ("User:acme", "DESCRIBE", "TOPIC", "ns.out.acme", "LITERAL"),
        ("User:acme", "READ", "GROUP", "ns.acme.", "PREFIXED"),
    }


def test_no_grant_is_a_prefix_another_partner_could_fall_under() -> None:
    # acme's group prefix must not cover acme-eu's groups, and topic grants are literal.
    assert not "ns.acme-eu.orders".startswith(group_prefix("ns", "acme"))
    prefixed = [row for row in _rows("acme") if row[4] == "PREFIXED"]
    assert [row[2] for row in prefixed] == ["GROUP"]


def test_grants_are_only_the_operations_a_client_needs() -> None:
    operations = {row[1] for row in _rows("acme")}
    assert operations == {"WRITE", "READ", "DESCRIBE"}
    assert ACLOperation.ALL.name not in operations
    assert ResourceType.CLUSTER.name not in {row[2] for row in _rows("acme")}
    assert ACLResourcePatternType.MATCH.name not in {row[4] for row in _rows("acme")}
