"""Fetch the pinned Kafka jars from Maven Central into a cache outside git."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

KAFKA_VERSION = "4.4.0"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "leadledger"
COMPLETE_MARKER = ".complete"


class KafkaSetupError(RuntimeError):
    """Something the local broker needs is missing; the message says what to do."""


def default_jars_dir() -> Path:
    return CACHE / f"kafka-{KAFKA_VERSION}" / "libs"


def jars_present(jars_dir: Path) -> bool:
    return (jars_dir / COMPLETE_MARKER).exists()


def ensure_jars(jars_dir: Path | None = None) -> Path:
    """Download once; a marker written after success makes later calls instant."""
    jars_dir = jars_dir or default_jars_dir()
    if jars_present(jars_dir):
        return jars_dir
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaSetupError(
            "Maven (mvn) is not on PATH; it fetches the Kafka jars from Maven Central"
        )
    pom = resources.files("streams.broker") / "kafka" / "pom.xml"
    with resources.as_file(pom) as pom_path:
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom_path),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={jars_dir}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise KafkaSetupError(
            f"fetching Kafka {KAFKA_VERSION} jars failed:\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    (jars_dir / COMPLETE_MARKER).write_text(KAFKA_VERSION)
    return jars_dir
