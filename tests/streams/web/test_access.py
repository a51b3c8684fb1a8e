"""Who reads which view: the rule, the token file, and the ``tokens`` command."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projections.access import TokenEntry, authenticate, decide, token_digest
from streams.cli.main import cli
from streams.cli.tokens import local_operator_token
from streams.settings import Settings
from streams.web.access import Gate
from streams.web.token_store import TokenFile, issue, load_entries, revoke


def entry(role: str, partner: str | None) -> TokenEntry:
    return TokenEntry("id1", role, partner, "hash", "2026-11-23T00:00:00Z")  # type: ignore[arg-type]


OPERATOR, ACME = entry("operator", None), entry("partner", "acme")


@pytest.mark.parametrize(
    ("who", "scope", "status"),
    [
        (None, None, 401),
        (None, "acme", 401),
        (OPERATOR, None, 200),
        (OPERATOR, "acme", 200),
        (ACME, "acme", 200),
        (ACME, "globex", 403),
        (ACME, None, 403),
    ],
)
def test_the_rule(who: TokenEntry | None, scope: str | None, status: int) -> None:
    assert decide(who, scope).status == status


def test_a_partner_token_names_its_partner() -> None:
    with pytest.raises(ValueError, match="names its partner"):
        entry("partner", None)
    with pytest.raises(ValueError, match="operator token none"):
        entry("operator", "acme")


def test_authenticate_takes_only_a_known_bearer_token() -> None:
    known = {token_digest("s3cret"): ACME}
    assert authenticate(known, "Bearer s3cret") is ACME
    assert authenticate(known, "bearer  s3cret ") is ACME
    assert authenticate(known, "Bearer other") is None
    assert authenticate(known, "Basic s3cret") is None
    assert authenticate(known, "Bearer ") is None
    assert authenticate(known, None) is None


def test_a_token_that_is_not_utf8_is_unknown_not_an_error() -> None:
    """aiohttp decodes header bytes that are not UTF-8 into lone surrogates; such a
    token once raised in the digest, and every view and the door answered 500."""
    header = b"Bearer \xff\xfe".decode("utf-8", "surrogateescape")
    known = {token_digest("s3cret"): ACME}
    assert authenticate(known, header) is None
    assert decide(None, "acme", token_presented=True).status == 401


def test_the_file_keeps_hashes_only_owner_readable(tmp_path: Path) -> None:
    path = tmp_path / "home" / "tokens.json"
    first, token = issue(path, "partner", "acme")
    text = path.read_text()
    assert token not in text
    assert first.sha256 in text
    assert token.startswith("llt_")
    assert len(token) > 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second, _ = issue(path, "operator")
    assert [e.token_id for e in load_entries(path)] == [first.token_id, second.token_id]
    assert revoke(path, first.token_id)
    assert not revoke(path, first.token_id)
    assert load_entries(path) == [second]


def test_replace_revokes_the_previous_token_of_a_label(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    kept, _ = issue(path, "partner", "acme", label="local-up")  # another role, same label
    old, _ = issue(path, "operator", label="ci")
    new, _ = issue(path, "operator", label="ci", replace=True)
    assert load_entries(path) == [kept, new]
    assert old not in load_entries(path)


def test_the_worker_rereads_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    tokens = TokenFile(path)
    assert tokens.current() == {}
    acme, token = issue(path, "partner", "acme")
    assert authenticate(tokens.current(), f"Bearer {token}") == acme
    revoke(path, acme.token_id)
    assert authenticate(tokens.current(), f"Bearer {token}") is None


def test_the_tokens_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.json"
    monkeypatch.setenv("LEADLEDGER_TOKENS", str(path))
    runner = CliRunner()
    issued = runner.invoke(cli, ["tokens", "issue", "acme", "--label", "acme-crm"])
    assert issued.exit_code == 0, issued.stderr
    token = issued.stdout.strip()
    assert authenticate(TokenFile(path).current(), f"Bearer {token}") is not None
    (listed,) = runner.invoke(cli, ["tokens", "list"]).stdout.splitlines()
    token_id, role, partner, _, label = listed.split("\t")
    assert (role, partner, label) == ("partner", "acme", "acme-crm")
    assert token not in listed
    assert runner.invoke(cli, ["tokens", "issue", "acme", "--operator"]).exit_code == 2
    assert runner.invoke(cli, ["tokens", "issue"]).exit_code == 2
    assert runner.invoke(cli, ["tokens", "revoke", token_id]).exit_code == 0
    assert runner.invoke(cli, ["tokens", "revoke", token_id]).exit_code == 1
    assert load_entries(path) == []


class FakeRequest:
    def __init__(self, authorization: str | None = None) -> None:
        self.path = "/partners/acme"
        self.headers = {"Authorization": authorization} if authorization else {}


def test_the_gate_checks_the_token_file(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    _, token = issue(settings.token_path, "partner", "acme")
    gate = Gate(settings)
    assert gate.check(FakeRequest(f"Bearer {token}"), "acme").allowed
    assert gate.check(FakeRequest(f"Bearer {token}"), "globex").status == 403
    assert gate.check(FakeRequest(), "acme").status == 401


def test_refusals_say_what_is_wrong_in_plain_words(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    entry_, token = issue(settings.token_path, "partner", "acme")
    gate = Gate(settings)
    assert "required" in gate.check(FakeRequest(), "acme").reason
    assert gate.check(FakeRequest("Bearer llt_never-issued"), "acme").reason == (
        "this bearer token is unknown or was revoked"
    )
    other = gate.check(FakeRequest(f"Bearer {token}"), "globex")
    assert other.reason == "this token is partner acme's, not globex's"
    revoke(settings.token_path, entry_.token_id)
    assert "unknown or was revoked" in gate.check(FakeRequest(f"Bearer {token}"), "acme").reason


def test_auth_off_opens_every_view_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings.from_env({"LEADLEDGER_AUTH": "off", "LEADLEDGER_HOME": str(tmp_path)})
    assert settings.auth is False
    with caplog.at_level(logging.WARNING):
        gate = Gate(settings)
        assert gate.check(FakeRequest(), None).allowed
    assert "LEADLEDGER_AUTH=off" in caplog.text
    assert Settings.from_env({}).auth is True


def test_each_local_run_replaces_its_operator_token(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    partner, _ = issue(settings.token_path, "partner", "acme")
    first = local_operator_token(settings)
    second = local_operator_token(settings)
    tokens = TokenFile(settings.token_path).current()
    assert authenticate(tokens, f"Bearer {first}") is None
    assert authenticate(tokens, f"Bearer {second}") is not None
    assert partner in tokens.values()
