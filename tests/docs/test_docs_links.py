"""The README stays short, and every relative link in it and in docs/*.md leads somewhere:
to a file that exists and, for a ``#fragment`` into a markdown file, to one of its
headings (GitHub's anchors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 200

_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.M)


def _prose(path: Path) -> str:
    """The page without fenced code blocks, so code is never read as links or headings."""
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: link text kept, lower case, punctuation dropped."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    for heading in _HEADING.findall(_prose(path)):
        anchor, n = _anchor(heading), 1
        while anchor in anchors:  # GitHub numbers repeated headings
            anchor, n = f"{_anchor(heading)}-{n}", n + 1
        anchors.add(anchor)
    return anchors


def _relative_links(path: Path) -> list[str]:
    links = _LINK.findall(_CODE.sub("", _prose(path)))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


def test_the_readme_is_at_most_200_lines() -> None:
    lines = len(README.read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines"


def test_there_are_pages_to_check() -> None:
    assert len(PAGES) > 1
    assert all(_relative_links(page) for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page: Path) -> None:
    broken = []
    for link in _relative_links(page):
        target, _, fragment = link.partition("#")
        file = (page.parent / target).resolve() if target else page
        if not file.exists():
            broken.append(f"{link}: no file {file.relative_to(ROOT)}")
        elif fragment and file.suffix == ".md" and fragment not in _anchors(file):
            broken.append(f"{link}: no heading #{fragment} in {file.relative_to(ROOT)}")
    assert broken == []


def test_the_readme_links_every_docs_page() -> None:
    linked = {
        (ROOT / link.partition("#")[0]).resolve()
        for link in _relative_links(README)
        if link.startswith("docs/")
    }
    assert set(PAGES[1:]) <= linked


_REPO_PATH = re.compile(r"`((?:streams|projections|schemas|tests|bench)/[\w./-]+)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_page_names_exists(page: Path) -> None:
    """A page that says where a control lives (the threat model) must not point at code
    that moved: every `streams/...`, `projections/...`, `tests/...` path it names exists."""
    named = _REPO_PATH.findall(page.read_text(encoding="utf-8"))
    missing = sorted({path for path in named if not _exists(path)})
    assert missing == []


def _exists(path: str) -> bool:
    """A file or folder, or ``module.attribute`` of a module that exists."""
    folder, _, name = path.rstrip(".").rpartition("/")
    module = name.split(".")[0]
    return (ROOT / path.rstrip(".")).exists() or (ROOT / folder / f"{module}.py").exists()
