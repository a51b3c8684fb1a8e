"""``leadledger kafka start``: its credentials under home, and a bad --external named."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from streams.cli.main import cli
from streams.identity.credentials import PRINCIPALS, credentials_path, read_credentials


def test_a_bad_external_address_is_named_before_anything_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADLEDGER_HOME", str(tmp_path))
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    result = CliRunner().invoke(cli, ["kafka", "start", "--external", "no-port-here"])
    assert result.exit_code == 1
    assert "expected HOST:PORT, got 'no-port-here'" in result.output
    assert not (tmp_path / "kafka").exists()  # nothing formatted, nothing started
    # The credentials exist from the first attempt on, owner-only, for that broker.
    path = credentials_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(read_credentials(path).passwords) == set(PRINCIPALS)
    assert read_credentials(path).opens("127.0.0.1:1")
