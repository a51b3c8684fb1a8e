"""docs/partners.md, "Publishing without this repository": each way works as printed.

The Python blocks run in an empty directory holding only the copied
``LeadCaptured/v3.avsc``, with a stand-in for kafka-python's producer, and what they
send is read by leadledger's own decoder; they import nothing of this repository. The
Java block is ``PartnerExample.java`` word for word, which ``tests/interop`` builds and
runs. The same blocks go to a real broker and worker in
``tests/integration/test_publishing_without_repo_live.py``.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import kafka
import pytest

from schemas.avro_schemas import AVRO_ROOT, WriterSchema, all_schemas
from schemas.codec import HEADER_SIZE, DecodeError, decode
from schemas.lead_events import LeadCaptured, LeadCapturedData, Person
from tests.support.avro_java import PROJECT
from tests.support.doc_blocks import RecordingProducer as _Producer

PAGE = Path(__file__).parents[2] / "docs" / "partners.md"
SECTION = "## Publishing without this repository"
JAVA_EXAMPLE = PROJECT / "src/main/java/dev/leadledger/interop/PartnerExample.java"
OUR_PACKAGES = {"schemas", "projections", "streams", "tests", "bench"}


def section() -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + len(SECTION) + 1)
    return text[start : end if end != -1 else None]


def blocks(language: str) -> list[str]:
    found: list[str] = re.findall(rf"```{language}\n(.*?)```", section(), re.S)
    return found


def fastavro_block() -> str:
    (block,) = [b for b in blocks("python") if "schemaless_writer" in b]
    return block


def avro_block() -> str:
    (block,) = [b for b in blocks("python") if "avro.io" in b]
    return block


@contextmanager
def a_partners_directory(tmp: Path) -> Iterator[None]:
    """The working directory of a partner: the schema file, nothing else of ours."""
    (tmp / "LeadCaptured").mkdir(parents=True)
    shutil.copy(AVRO_ROOT / "LeadCaptured" / "v3.avsc", tmp / "LeadCaptured" / "v3.avsc")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp)
        yield


def run_block(block: str, tmp: Path) -> None:
    with a_partners_directory(tmp):
        exec(compile(block, str(PAGE), "exec"), {})  # our own docs, on purpose


def expected(way: str) -> LeadCaptured:
    return LeadCaptured(
        event_id=f"evt-{way}-1",
        subject=f"lead-{way}-1",
        occurred_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        source="acme",
        data=LeadCapturedData(person=Person(email="ana@example.com")),
    )


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes, bytes]]:
    monkeypatch.setattr(kafka, "KafkaProducer", _Producer)
    monkeypatch.setattr(_Producer, "sent", [])
    return _Producer.sent


def documented() -> WriterSchema:
    """The version the page publishes with (LeadCaptured v3): later ones read it too."""
    return next(s for s in all_schemas() if (s.type_name, s.version) == ("LeadCaptured", 3))


def test_the_section_shows_three_ways() -> None:
    assert len(blocks("python")) == 2
    assert len(blocks("java")) == 1
    assert "84 f8 ba af b5 41 c5 2e" in section()
    assert f"gives {documented().fingerprint64}," in section()
    assert documented().fingerprint.hex(" ") == "84 f8 ba af b5 41 c5 2e"


@pytest.mark.parametrize("block", [fastavro_block(), avro_block()], ids=["fastavro", "avro"])
def test_the_python_ways_import_nothing_of_this_repository(block: str) -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported
    assert not imported & OUR_PACKAGES


@pytest.mark.parametrize(("way", "block"), [("fastavro", fastavro_block()), ("avro", avro_block())])
def test_a_python_way_publishes_what_the_worker_reads(
    way: str, block: str, tmp_path: Path, sent: list[tuple[str, bytes, bytes]]
) -> None:
    run_block(block, tmp_path)
    ((topic, key, value),) = sent
    assert (topic, key) == ("leadledger.leads", f"lead-{way}-1".encode())
    assert value[:HEADER_SIZE] == b"\xc3\x01" + documented().fingerprint
    assert decode(value) == expected(way)


def test_without_the_two_lines_the_avro_package_is_refused_and_told_why(
    tmp_path: Path, sent: list[tuple[str, bytes, bytes]]
) -> None:
    """The decision: the avro package's own fingerprint is not read; the two lines fix it."""
    lines = avro_block().splitlines()
    fix = [i for i, line in enumerate(lines) if line.startswith(("plain = ", "header = "))]
    assert len(fix) == 2
    unfixed = [line for i, line in enumerate(lines) if i not in fix]
    unfixed.insert(fix[0], 'header = b"\\xc3\\x01" + schema.fingerprint()')
    run_block("\n".join(unfixed), tmp_path)
    ((_, _, value),) = sent
    with pytest.raises(DecodeError, match="LeadCaptured v3's fingerprint as the Python avro"):
        decode(value)


def test_the_java_way_is_the_example_the_interop_tests_run() -> None:
    (block,) = blocks("java")
    assert block == JAVA_EXAMPLE.read_text(encoding="utf-8")
