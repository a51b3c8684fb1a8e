"""The project's principals' passwords: made once, owner-only, kept across starts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from streams.identity.credentials import (
    PRINCIPALS,
    CredentialsError,
    credentials_path,
    ensure_credentials,
    read_credentials,
)
from streams.identity.registry import RESERVED_PREFIX


def test_created_once_owner_only_and_kept(tmp_path: Path) -> None:
    first = ensure_credentials(tmp_path, "127.0.0.1:9092")
    path = credentials_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first.passwords) == set(PRINCIPALS)
    assert len(set(first.passwords.values())) == len(PRINCIPALS)  # one password each
    again = ensure_credentials(tmp_path, "127.0.0.1:19092")  # the broker moved port
    assert again.passwords == first.passwords
    assert read_credentials(path).opens("127.0.0.1:19092")
    assert not read_credentials(path).opens("127.0.0.1:9092")


def test_principals_carry_the_prefix_no_partner_may_take() -> None:
    assert all(name.startswith(RESERVED_PREFIX) for name in PRINCIPALS)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    path = credentials_path(tmp_path)
    path.write_text("{not json")
    with pytest.raises(CredentialsError, match=r"kafka-credentials\.json"):
        read_credentials(path)
