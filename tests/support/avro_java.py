"""Apache Avro's Java library, the reference implementation, driven from the tests.

``tests/interop/java`` is a small Maven project (``org.apache.avro:avro:1.12.0``). The
first use builds it with Maven, as ``streams.broker.jars`` fetches the Kafka jars, into
``~/.cache/leadledger/avro-interop/<digest>/`` (outside git), where ``<digest>`` covers
the pom and the Java sources, so an edit builds anew and an unchanged tree is reused; a
marker written after a complete build makes later runs start the JVM at once.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastavro import json_writer

from schemas.avro_schemas import AVRO_ROOT, latest
from schemas.envelope import Envelope
from streams.broker.jars import CACHE

PROJECT = Path(__file__).resolve().parents[1] / "interop" / "java"
COMPLETE_MARKER = ".complete"
BUILD_TIMEOUT_S = 900.0  # a cold Maven repository downloads the plugins and Avro
RUN_TIMEOUT_S = 120.0


class AvroJavaError(RuntimeError):
    """The Java side could not be built or failed; the message carries its output."""


def _sources() -> list[Path]:
    return [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]


def build_dir() -> Path:
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(PROJECT).as_posix().encode())
        digest.update(path.read_bytes())
    return CACHE / "avro-interop" / digest.hexdigest()[:16]


def ensure_built(out: Path | None = None) -> Path:
    """Build once per source digest; return the build directory."""
    out = out or build_dir()
    if (out / COMPLETE_MARKER).exists():
        return out
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if mvn is None or java is None:
        raise AvroJavaError("the interop tests need Java 17 and Maven (mvn) on PATH")
    # Built beside its place and renamed into it when complete, so a build that died
    # half way, or another test run building at the same time, never leaves a partial one.
    staging = out.with_name(f"{out.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    command = [mvn, "-q", "-B", "-f", str(PROJECT / "pom.xml"), f"-Dinterop.out={staging}"]
    result = subprocess.run(
        [*command, "compile", "dependency:copy-dependencies"],
        capture_output=True,
        text=True,
        check=False,
        timeout=BUILD_TIMEOUT_S,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise AvroJavaError(
            f"building {PROJECT} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    (staging / COMPLETE_MARKER).write_text("built\n")
    if not (out / COMPLETE_MARKER).exists():
        shutil.rmtree(out, ignore_errors=True)  # what an older, interrupted build left
    try:
        staging.rename(out)
    except OSError:  # another run finished first: its build is the same
        shutil.rmtree(staging, ignore_errors=True)
    return out


@dataclass(frozen=True)
class AvroJava:
    """Runs the programs of ``tests/interop/java`` on a built classpath."""

    out: Path

    def run(self, main: str, args: Sequence[str], stdin: str = "") -> list[str]:
        classpath = f"{self.out / 'classes'}:{self.out / 'lib'}/*"
        result = subprocess.run(
            ["java", "-cp", classpath, f"dev.leadledger.interop.{main}", *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            timeout=RUN_TIMEOUT_S,
        )
        if result.returncode != 0:
            raise AvroJavaError(
                f"{main} {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
            )
        return result.stdout.splitlines()

    def fingerprints(self, root: Path = AVRO_ROOT) -> dict[str, int]:
        """``"<Type>/vN.avsc"`` -> ``SchemaNormalization.parsingFingerprint64``."""
        rows = (line.split("\t") for line in self.run("Interop", ["fingerprints", str(root)]))
        return {name: int(value) for name, value in rows}

    def fingerprint(self, schemas: Sequence[str]) -> list[tuple[str, int]]:
        """(Parsing Canonical Form, parsingFingerprint64) of each schema text."""
        rows = self.run("Interop", ["fingerprint"], "".join(f"{s}\n" for s in schemas))
        return [(form, int(value)) for form, value in (row.split("\t") for row in rows)]

    def encode(self, datums: Sequence[tuple[str, str]], root: Path = AVRO_ROOT) -> list[bytes]:
        """``BinaryMessageEncoder``'s bytes for each (type, datum in Avro JSON encoding)."""
        stdin = "".join(f"{type_name}\t{json}\n" for type_name, json in datums)
        return [bytes.fromhex(line) for line in self.run("Interop", ["encode", str(root)], stdin)]

    def encode_events(self, events: Sequence[Envelope]) -> list[bytes]:
        """Each event as Java writes it: its Avro JSON encoding (fastavro's, which only
        carries the values over) read by Java into a ``GenericRecord`` and encoded there."""
        return self.encode([(e.type, avro_json(e)) for e in events])

    def decode(
        self, type_name: str, messages: Sequence[bytes], root: Path = AVRO_ROOT
    ) -> list[str]:
        """What ``BinaryMessageDecoder`` reads from each message: the record's JSON, or
        ``error<TAB>...``."""
        stdin = "".join(f"{m.hex()}\n" for m in messages)
        return self.run("Interop", ["decode", str(root), type_name], stdin)


def avro_json(event: Envelope) -> str:
    """The event in the Avro specification's JSON encoding, under its newest schema."""
    text = io.StringIO()
    json_writer(text, latest()[event.type].parsed, [event.model_dump(mode="python")])
    return text.getvalue().strip()


@pytest.fixture(scope="session")
def avro_java() -> AvroJava:
    return AvroJava(ensure_built())
