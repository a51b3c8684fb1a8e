"""The keyring wraps lead keys so the key topic alone opens nothing.

Wrap and unwrap, the wrong KEK, altered or moved wrapped keys, the clear records of
deployments from before wrapping, and the keyring file: 0600, made once, reread when
a rotation changes it, retired KEKs gone.
"""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest

from streams.personal_data.key_records import kek_of, key_record, open_key_record
from streams.personal_data.keyring import FileKeyring, Keks, KeyringError
from streams.personal_data.sealing import new_key, open_person, seal_person
from tests.streams.personal_data.test_sealing import PERSON


def test_a_wrapped_key_opens_with_its_keks_only() -> None:
    keks, key = Keks.generate(), new_key("L1")
    raw = key_record(key, "L1", keks)
    assert open_key_record(raw, "L1", keks) == key
    assert key.secret not in raw
    assert base64.b64encode(key.secret) not in raw
    assert kek_of(raw) == keks.current
    with pytest.raises(KeyringError, match="not held"):
        open_key_record(raw, "L1", Keks.generate())  # another deployment's keyring


def test_a_wrapped_key_moved_to_another_lead_or_altered_does_not_open() -> None:
    keks, key = Keks.generate(), new_key("L1")
    raw = key_record(key, "L1", keks)
    with pytest.raises(KeyringError, match="moved from another lead"):
        open_key_record(raw, "L2", keks)
    body = json.loads(raw)
    blob = bytearray(base64.b64decode(body["wrapped"]))
    blob[-1] ^= 0x01
    altered = json.dumps(body | {"wrapped": base64.b64encode(bytes(blob)).decode()}).encode()
    with pytest.raises(KeyringError, match="altered"):
        open_key_record(altered, "L1", keks)
    renamed = json.dumps(body | {"key_id": "L1/v2"}).encode()
    with pytest.raises(KeyringError):
        open_key_record(renamed, "L1", keks)


def test_a_clear_key_from_before_wrapping_still_opens_its_persons() -> None:
    key = new_key("L-old")
    sealed = seal_person(PERSON, key, "L-old", "e1")
    clear = json.dumps(
        {"key_id": key.key_id, "key": base64.b64encode(key.secret).decode()}
    ).encode()  # the record a worker wrote before keys were wrapped
    opened = open_key_record(clear, "L-old", Keks.generate())
    assert open_person(sealed, opened, "L-old", "e1") == PERSON
    assert kek_of(clear) is None


def test_a_malformed_record_is_a_keyring_error() -> None:
    with pytest.raises(KeyringError, match="malformed"):
        open_key_record(b"{not json", "L1", Keks.generate())


def test_the_keyring_file_is_owner_only_and_made_once(tmp_path: Path) -> None:
    path = tmp_path / "home" / "keyring.json"
    first, second = FileKeyring(path), FileKeyring(path)
    raw = key_record(new_key("L1"), "L1", first)  # the first wrap makes the file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert second.current_kek_id() == first.current_kek_id()  # found, not made again
    assert open_key_record(raw, "L1", second).key_id == "L1/v1"
    assert [p.name for p in path.parent.iterdir()] == ["keyring.json"]  # no temporaries


def test_a_reader_without_the_keyring_fails_and_makes_none(tmp_path: Path) -> None:
    raw = key_record(new_key("L1"), "L1", FileKeyring(tmp_path / "a.json"))
    elsewhere = FileKeyring(tmp_path / "b.json")
    with pytest.raises(KeyringError, match="no keyring"):
        open_key_record(raw, "L1", elsewhere)
    assert not elsewhere.path.exists()


def test_rotating_the_file_keeps_old_keys_open_until_retired(tmp_path: Path) -> None:
    writer, reader = FileKeyring(tmp_path / "k.json"), FileKeyring(tmp_path / "k.json")
    key = new_key("L1")
    old = key_record(key, "L1", writer)
    assert open_key_record(old, "L1", reader) == key  # the reader has loaded the file
    new_kek = writer.add_kek()
    new = key_record(key, "L1", writer)
    assert kek_of(new) == new_kek != kek_of(old)
    assert open_key_record(old, "L1", reader) == open_key_record(new, "L1", reader) == key
    assert writer.retire_all_but(new_kek) == [kek_of(old)]
    assert stat.S_IMODE(writer.path.stat().st_mode) == 0o600
    with pytest.raises(KeyringError, match="not held"):
        open_key_record(old, "L1", reader)  # reread: the retired KEK is gone
    assert open_key_record(new, "L1", reader) == key
