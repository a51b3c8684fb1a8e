"""Provisioning a partner on the bus: its SCRAM user, its ACLs, its registry entry.

What a partner may touch is written here as data (:func:`partner_acls`), so a test can
hold the broker's answers against it and a reader can see the whole grant at once:

- WRITE (and DESCRIBE) on its own publish topic ``<namespace>.in.<partner>``;
- READ (and DESCRIBE) on its own feed ``<namespace>.out.<partner>``;
- READ on consumer groups whose names start with ``<namespace>.<partner>.``;
- an internal partner (one of the own organisation's downstream services) also READ
  (and DESCRIBE) on the organisation-wide escalations and notifications topics.

Nothing else: the brokers run with ``allow.everyone.if.no.acl.found=false``, so every
other topic (the internal intake, the record log, the rejections, the key topic,
another partner's topics) is denied to it by default.

The operations take a kafka-python ``KafkaAdminClient`` already connected as a
principal allowed to alter users and ACLs (the operator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka.admin import (
    ACL,
    ACLFilter,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    ResourcePattern,
    ResourcePatternFilter,
    ResourceType,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from streams.identity.credentials import new_password

_MECHANISM = ScramMechanism.SCRAM_SHA_512
ANY_HOST = "*"


class ProvisioningError(RuntimeError):
    """The broker refused a user or ACL change; the message says which and why."""


def principal(user: str) -> str:
    return f"User:{user}"


def group_prefix(namespace: str, partner_id: str) -> str:
    """The prefix of every consumer group the partner may use (the trailing dot keeps
    partner ``acme`` out of ``acme-eu``'s groups)."""
    return f"{namespace}.{partner_id}."


def partner_acls(
    namespace: str,
    partner_id: str,
    publish_topic: str,
    feed_topic: str,
    internal_reads: Sequence[str] = (),
) -> list[ACL]:
    """Everything a partner is allowed, and nothing more. ``internal_reads``: the
    organisation-wide output topics (escalations, notifications) an internal partner,
    one of the own organisation's downstream services, may read as well."""
    who = principal(partner_id)

    def allow(operation: ACLOperation, kind: ResourceType, name: str, literal: bool) -> ACL:
        pattern = ACLResourcePatternType.LITERAL if literal else ACLResourcePatternType.PREFIXED
        return ACL(
            who,
            ANY_HOST,
            operation,
            ACLPermissionType.ALLOW,
            ResourcePattern(kind, name, pattern),
        )

    return [
        allow(ACLOperation.WRITE, ResourceType.TOPIC, publish_topic, True),
        allow(ACLOperation.DESCRIBE, ResourceType.TOPIC, publish_topic, True),
        allow(ACLOperation.READ, ResourceType.TOPIC, feed_topic, True),
        allow(ACLOperation.DESCRIBE, ResourceType.TOPIC, feed_topic, True),
        allow(ACLOperation.READ, ResourceType.GROUP, group_prefix(namespace, partner_id), False),
        *(
            allow(operation, ResourceType.TOPIC, topic, True)
            for topic in internal_reads
            for operation in (ACLOperation.READ, ACLOperation.DESCRIBE)
        ),
    ]


def every_acl_of(user: str) -> ACLFilter:
    """A filter matching every ACL naming the user, whatever it grants."""
    return ACLFilter(
        principal(user),
        ANY_HOST,
        ACLOperation.ANY,
        ACLPermissionType.ANY,
        ResourcePatternFilter(ResourceType.ANY, None, ACLResourcePatternType.ANY),
    )


@dataclass(frozen=True, slots=True)
class Grant:
    """What provisioning gave a partner: shown once, never stored in clear."""

    partner_id: str
    password: str
    publish_topic: str
    feed_topic: str
    group_prefix: str


def set_password(admin: Any, user: str, password: str) -> None:
    """Create the SCRAM user, or replace its password: new connections with the old one
    are refused from then on."""
    answer = admin.alter_user_scram_credentials(
        [UserScramCredentialUpsertion(user, _MECHANISM, password)]
    )
    if error := answer.get(user):
        raise ProvisioningError(f"the broker refused SCRAM credentials for {user!r}: {error}")


def delete_user(admin: Any, user: str) -> None:
    answer = admin.alter_user_scram_credentials([UserScramCredentialDeletion(user, _MECHANISM)])
    error = answer.get(user)
    # Removing a user twice is not an error worth stopping for: the result is the same.
    if error and "not found" not in error.lower() and "does not exist" not in error.lower():
        raise ProvisioningError(f"the broker refused to delete the SCRAM user {user!r}: {error}")


def grant(admin: Any, acls: list[ACL]) -> None:
    answer = admin.create_acls(acls)
    if failed := answer.get("failed"):
        raise ProvisioningError(f"the broker refused {len(failed)} ACLs: {failed}")


def revoke_all(admin: Any, user: str) -> int:
    """Delete every ACL of the user; how many went."""
    removed = 0
    for _, matching, error in admin.delete_acls([every_acl_of(user)]):
        if error is not None and int(getattr(error, "errno", 0)) != 0:
            raise ProvisioningError(f"the broker refused to delete {user!r}'s ACLs: {error}")
        removed += len(matching)
    return removed


def provision(
    admin: Any,
    namespace: str,
    partner_id: str,
    publish: str,
    feed: str,
    *,
    internal_reads: Sequence[str] = (),
) -> Grant:
    """The SCRAM user with a fresh password and its ACLs. The topics must exist."""
    password = new_password()
    set_password(admin, partner_id, password)
    grant(admin, partner_acls(namespace, partner_id, publish, feed, internal_reads))
    return Grant(partner_id, password, publish, feed, group_prefix(namespace, partner_id))
