"""The house's floors: every import of the package and the DAG files runs down (or across) a floor, never up, and
no two rooms import each other, directly or round a circle.

Read from the source with :mod:`ast` (no module is imported), so an arrow counts wherever it stands: at the top of a
module, inside a function (the lazy imports that keep DAG parsing cheap) or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "webex_wholesale"
PACKAGE_DIR = ROOT / "plugins" / PACKAGE
DAGS_DIR = ROOT / "dags"

#: Top to bottom. A room may import its own floor's other rooms and any floor below, never a floor above.
FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"wiring"}),  # the package's __init__ and preload.py: they put the rooms together
    frozenset({"dags"}),
    frozenset({"onboarding", "lifecycle"}),
    frozenset({"operators", "queue", "ui", "health"}),
    frozenset({"state", "triggers", "notify"}),
    frozenset({"hooks", "budget"}),
    frozenset({"models"}),
)
FLOOR_OF = {room: len(FLOORS) - height for height, rooms in enumerate(FLOORS) for room in rooms}
#: Modules at the package's top level, outside any subpackage, and the room each belongs to.
TOP_LEVEL_ROOMS = {
    "__init__": "wiring",
    "preload": "wiring",
    "exceptions": "models",
    "http_status": "models",
    "ids": "models",
    "batches": "models",
    "schedules": "models",
    "provider": "models",
}
Arrow = tuple[str, str]


def module_files() -> dict[str, Path]:
    """Every module of the package and every DAG file, by dotted name (a DAG file by ``dags.<stem>``)."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in sorted(DAGS_DIR.glob("*.py")):
        modules[f"dags.{path.stem}"] = path
    return modules


def room_of(module: str) -> str:
    """The room a module belongs to: its subpackage, ``dags``, or the top-level module's room."""
    parts = module.split(".")
    if parts[0] == "dags":
        return "dags"
    if len(parts) == 1:
        return TOP_LEVEL_ROOMS["__init__"]
    if module in (f"{PACKAGE}.{name}" for name in TOP_LEVEL_ROOMS):
        return TOP_LEVEL_ROOMS[parts[1]]
    return parts[1]


def imported_modules(module: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``module`` imports, anywhere in its source (``from a import b`` counts ``a.b`` when it
    is a module, else ``a``)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
    return {name for name in found if name in known and name != module}


def module_arrows() -> set[Arrow]:
    """Every (importing module, imported module) pair of the package and the DAG files."""
    files = module_files()
    known = set(files)
    return {(source, target) for source, path in files.items() for target in imported_modules(source, path, known)}


def room_graph(arrows: set[Arrow]) -> Counter[Arrow]:
    """Arrows between rooms, each counted once per pair of modules."""
    return Counter((room_of(s), room_of(t)) for s, t in arrows if room_of(s) != room_of(t))


def circles(edges: set[Arrow]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan): each holds at least one import circle."""
    graph: dict[str, list[str]] = {}
    for source, target in sorted(edges):
        graph.setdefault(source, []).append(target)
        graph.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


@pytest.fixture(scope="module")
def arrows() -> set[Arrow]:
    return module_arrows()


def test_every_module_is_in_a_room_on_a_floor():
    unplaced = sorted(m for m in module_files() if room_of(m) not in FLOOR_OF)
    assert unplaced == [], f"modules outside every room of FLOORS: {unplaced}"


def test_no_arrow_runs_up_a_floor(arrows):
    upward = sorted(f"{s} -> {t}" for s, t in arrows if FLOOR_OF[room_of(t)] > FLOOR_OF[room_of(s)])
    assert upward == [], "imports running up a floor:\n" + "\n".join(upward)


def test_no_import_circle_between_rooms(arrows):
    assert circles(set(room_graph(arrows))) == []


def test_no_import_circle_between_modules(arrows):
    assert circles(arrows) == []


def test_other_rooms_use_the_budget_through_its_one_seam(arrows):
    seam = f"{PACKAGE}.budget"
    behind = sorted(f"{s} -> {t}" for s, t in arrows if room_of(t) == "budget" != room_of(s) and t != seam)
    assert behind == [], f"imports past the budget's seam ({seam}):\n" + "\n".join(behind)


def test_imports_inside_functions_and_type_checking_blocks_are_arrows_too():
    """The lazy imports (at task run time) and the type-only ones tie rooms together as much as the others."""
    found = module_arrows()
    assert (f"{PACKAGE}.operators.subscribers", f"{PACKAGE}.operators.subscriber_batch") in found  # in execute()
    assert (f"{PACKAGE}.operators._base", f"{PACKAGE}.state.audit") in found  # under TYPE_CHECKING


def test_a_made_up_upward_arrow_and_circle_are_caught():
    """The checks would pass vacuously if they could not see a violation: a made-up graph holding two shows they do."""
    hook, model = f"{PACKAGE}.hooks.wholesale", f"{PACKAGE}.models.order"
    made_up = {(model, hook), (hook, model)}
    assert circles(set(room_graph(made_up))) == [["hooks", "models"]]
    assert circles(made_up) == [sorted([hook, model])]
    assert FLOOR_OF[room_of(hook)] > FLOOR_OF[room_of(model)]
