"""The TLS listener's CA and broker certificate: the CA kept, the broker's for its hosts,
private keys owner-only."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

from cryptography import x509

from streams.identity.certificates import ensure_tls


def _sans(keystore: Path) -> x509.SubjectAlternativeName:
    broker = x509.load_pem_x509_certificates(keystore.read_bytes())[0]
    return broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value


def test_ca_is_kept_and_signs_a_broker_certificate_for_the_hosts(tmp_path: Path) -> None:
    first = ensure_tls(tmp_path, ["kafka.example.com", "127.0.0.1"])
    assert _sans(first.broker_keystore).get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("127.0.0.1")
    ]
    ca_pem = first.ca_cert.read_bytes()
    second = ensure_tls(tmp_path, ["other.example.com"])  # issued again at each start
    assert second.ca_cert.read_bytes() == ca_pem  # clients keep trusting the same CA
    chain = x509.load_pem_x509_certificates(second.broker_keystore.read_bytes())
    chain[0].verify_directly_issued_by(x509.load_pem_x509_certificate(ca_pem))
    assert _sans(second.broker_keystore).get_values_for_type(x509.DNSName) == ["other.example.com"]


def test_private_keys_are_owner_only(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, ["127.0.0.1"])
    for key in (files.broker_keystore, files.ca_cert.parent / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert b"PRIVATE KEY" in key.read_bytes()
