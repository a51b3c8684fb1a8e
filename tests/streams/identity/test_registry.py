"""The partner registry file: ids that can name topics and users, owner-only, reread
by a follower when it changes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from streams.identity import registry
from streams.identity.registry import RegistryError, RegistryFollower


@pytest.mark.parametrize("bad", ["", "Acme", "acme_corp", "-acme", "acme-", "a" * 65, "acme.x"])
def test_ids_that_cannot_name_a_topic_and_a_user_are_refused(bad: str) -> None:
    with pytest.raises(RegistryError, match="must be 1-64"):
        registry.check_partner_id(bad)


def test_the_projects_own_principal_names_are_reserved() -> None:
    with pytest.raises(RegistryError, match="reserved"):
        registry.check_partner_id("leadledger-worker")


def test_add_list_remove_round_trip_owner_only(tmp_path: Path) -> None:
    path = registry.registry_path(tmp_path)
    registry.add(path, "acme", "external")
    registry.add(path, "crm", "internal")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    partners = registry.load(path)
    assert sorted(partners) == ["acme", "crm"]
    assert partners["crm"].internal
    assert not partners["acme"].internal
    assert registry.add(path, "acme", "external") == partners["acme"]  # idempotent
    with pytest.raises(RegistryError, match="already registered as external"):
        registry.add(path, "acme", "internal")
    registry.remove(path, "acme")
    assert sorted(registry.load(path)) == ["crm"]
    with pytest.raises(RegistryError, match="no partner 'acme'"):
        registry.remove(path, "acme")


def test_follower_sees_changes_without_a_restart(tmp_path: Path) -> None:
    path = registry.registry_path(tmp_path)
    follower = RegistryFollower(path)
    assert follower.get("acme") is None
    registry.add(path, "acme", "external")
    partner = follower.get("acme")
    assert partner is not None
    assert partner.kind == "external"
    registry.remove(path, "acme")
    assert follower.get("acme") is None
