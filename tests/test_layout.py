"""The layout's rules, as the package docstrings state them, checked on the source.

The import direction is ``streams -> projections -> schemas``; inside each layer the
packages import one way, except the lead aggregate and its own ``sharing`` and
``privacy`` concerns, which are one fold.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("schemas", "projections", "streams")
# Within one aggregate, its concerns and its fold import each other.
ONE_FOLD = {"projections.lead", "projections.lead.sharing", "projections.lead.privacy"}


def _package_of(module: str) -> str:
    """The unit a module belongs to: its package, or itself at a layer's top level.

    ``projections.lead.sharing.fold`` -> ``projections.lead.sharing``;
    ``projections.replay`` -> ``projections.replay`` (a kernel module is a unit of its own).
    """
    path = ROOT.joinpath(*module.split("."))
    while not path.is_dir() and path != ROOT:
        path = path.parent
    package = ".".join(path.relative_to(ROOT).parts)
    if package in LAYERS and package not in ("schemas", module):
        return ".".join(module.split(".")[:2])
    return package


def _project_imports(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in LAYERS:
                continue
            for alias in node.names:  # `from projections.lead import fold` names a module
                candidate = f"{node.module}.{alias.name}"
                joined = ROOT.joinpath(*candidate.split("."))
                is_module = joined.with_suffix(".py").exists() or joined.is_dir()
                imported.add(candidate if is_module else node.module)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names if a.name.split(".")[0] in LAYERS)
    return imported


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            source = _package_of(module)
            for target in map(_package_of, _project_imports(path)):
                if target != source:
                    graph[source].add(target)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def test_layers_import_downwards_only() -> None:
    graph = _package_graph()
    upward = [
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if LAYERS.index(target.split(".")[0]) > LAYERS.index(source.split(".")[0])
    ]
    assert upward == []


def test_packages_have_no_cycles_but_the_lead_fold() -> None:
    graph = _package_graph()
    cycles = sorted(
        (source, target)
        for source in graph
        for target in _reachable(graph, source)
        if source < target and source in _reachable(graph, target)
        if not {source, target} <= ONE_FOLD
    )
    assert cycles == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("projections.agreement", "projections.lead"),
        ("projections.dispute", "projections.lead"),
        ("streams.delivery", "streams.agents"),
        ("streams.broker", "projections"),
        ("streams.state", "streams.agents"),
    ],
)
def test_documented_one_way_imports(package: str, forbidden: str) -> None:
    reached = _reachable(_package_graph(), package)
    assert not {p for p in reached if p == forbidden or p.startswith(forbidden + ".")}


def test_edges_are_imported_by_no_core_package() -> None:
    graph = _package_graph()
    importers = {s for s, targets in graph.items() if "streams.cli" in targets}
    assert importers == set()
    # web's own subpackages (the dashboard) use its gate: still inside the edge.
    web_importers = {
        s
        for s, targets in graph.items()
        if "streams.web" in targets and not s.startswith("streams.web.")
    }
    assert web_importers <= {"streams.wiring", "streams.cli"}  # and the tokens command


@pytest.mark.parametrize("layer", ["projections", "streams"])
def test_top_level_stays_small(layer: str) -> None:
    modules = [p.name for p in (ROOT / layer).glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= 12, modules


def test_every_package_says_what_it_may_import() -> None:
    silent = [
        str(init.relative_to(ROOT))
        for layer in ("projections", "streams")
        for init in (ROOT / layer).rglob("__init__.py")
        if "May import" not in (ast.get_docstring(ast.parse(init.read_text())) or "")
    ]
    assert silent == []
