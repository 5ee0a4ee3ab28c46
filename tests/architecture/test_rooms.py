"""The rooms are wired one way, with plain imports (DESIGN.md, "Rooms"; issue 16).

Every import of a studio module is parsed from the source: a room imports only rooms before
it in ORDER, at the top of a module (no function-level imports, no importlib, no "skip if
missing"), platforms never import each other, and the sandbox imports nothing of the app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

STUDIO = Path(__file__).resolve().parents[2] / "studio"

CORE = {
    "accesslog", "bodies", "config", "db", "errors", "extensions", "jobs", "ledger",
    "logfile", "panels", "security", "templating", "transport", "vault",
}  # fmt: skip
# A room may import the rooms before it. Platforms: the shared modules, then each platform
# package, then the registry that lists them.
ORDER = [
    "core",
    "auth",
    "audit",
    "staff",
    "platforms",
    "platforms.<one>",
    "platforms.registry",
    "videos",
    "posts",
    "metrics",
    "privacy",
    "notify",
    "dashboard",
    "site",
    "cli",
    "studio",
]


def room_of(module: str) -> str:
    """The room a dotted studio module belongs to."""
    parts = module.split(".")
    if len(parts) == 1:
        return "studio"
    head = parts[1]
    if head in CORE:
        return "core"
    if head == "platforms" and len(parts) > 2:
        if parts[2] == "registry":
            return "platforms.registry"
        if (STUDIO / "platforms" / parts[2]).is_dir():
            return f"platforms.{parts[2]}"
    return head


def rank(room: str) -> int:
    return ORDER.index(
        "platforms.<one>" if room.startswith("platforms.") and room not in ORDER else room
    )


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(STUDIO.rglob("*.py")):
        rel = path.relative_to(STUDIO.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        found.append((name, path))
    return found


def imports(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported studio module, line, inside a function) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nested: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            nested |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from pkg import sub` imports pkg, then pkg.sub when sub is a module
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        else:
            continue
        for target in targets:
            if target == "studio" or target.startswith("studio."):
                out.append((target, node.lineno, id(node) in nested))
    return out


ALL = modules()


def test_the_scan_sees_every_room():
    rooms = {room_of(name) for name, _ in ALL}
    assert {
        "core",
        "auth",
        "audit",
        "platforms.tiktok",
        "videos",
        "posts",
        "metrics",
        "privacy",
    } <= rooms


@pytest.mark.parametrize(("name", "path"), ALL, ids=[n for n, _ in ALL])
def test_a_room_imports_only_the_rooms_before_it(name: str, path: Path):
    source = room_of(name)
    wrong = []
    for target, line, nested in imports(name, path):
        if target == "studio":  # `from studio import db`: the module counts, not the package
            continue
        dest = room_of(target)
        if source == "sandbox" or dest == "sandbox":
            if source != dest and source != "cli":
                wrong.append(f"{path.name}:{line} {target} (the sandbox stands alone)")
            continue
        if nested:
            wrong.append(f"{path.name}:{line} {target} imported inside a function")
        elif dest != source and (
            rank(dest) >= rank(source)
            or (
                source.startswith("platforms.")
                and dest.startswith("platforms.")
                and source != "platforms.registry"
            )
        ):
            wrong.append(f"{path.name}:{line} {source} → {dest} ({target})")
    assert not wrong, wrong


@pytest.mark.parametrize(("name", "path"), ALL, ids=[n for n, _ in ALL])
def test_no_room_is_looked_up_by_name(name: str, path: Path):
    text = path.read_text(encoding="utf-8")
    assert "import_module(" not in text and "ModuleNotFoundError" not in text
    tree = ast.parse(text)
    by_name = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr")
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in {n.rpartition(".")[2] for n, _ in ALL}
    ]
    assert not by_name, f"getattr on a module at lines {by_name}"


NAMES = {name for name, _ in ALL}


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in NAMES}
    for name, path in ALL:
        for target, _line, nested in imports(name, path):
            if nested:
                continue
            # A module's own package is already being imported (a room's __init__ defines bp,
            # then imports its views, which take bp back: Flask's blueprint pattern).
            inside = name.startswith(f"{target}.")
            if target != "studio" and not inside:  # the root package is the app factory
                graph[name].add(target)
    for name in graph:
        graph[name] &= NAMES
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

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
            component = set()
            while True:
                item = stack.pop()
                component.add(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]


def test_no_import_circle_anywhere():
    assert cycles(edges()) == []


# Privacy reaches a platform through the registry (each Platform's `erasure`: locate, revoke,
# erase, sign-in), never by importing its package, except where what privacy says is the
# platform's own. Each exception says why; one that no longer imports a platform fails below,
# so the list only shrinks.
PRIVACY_NAMES_A_PLATFORM = {
    "studio.privacy.claims": "the policy's sentences about a platform apply when it is configured",
    "studio.privacy.policy": "the policy names each recipient and the client that talks to it",
    "studio.privacy.webhooks": "Meta's data-deletion callback (a URL that never moves) is signed",
}
PRIVACY = [(n, p) for n, p in ALL if room_of(n) == "privacy"]


@pytest.mark.parametrize(("name", "path"), PRIVACY, ids=[n for n, _ in PRIVACY])
def test_privacy_reaches_platforms_only_through_the_registry(name: str, path: Path):
    direct = sorted(
        {
            target
            for target, _line, _nested in imports(name, path)
            if room_of(target).startswith("platforms.") and room_of(target) != "platforms.registry"
        }
    )
    if name in PRIVACY_NAMES_A_PLATFORM:
        assert direct, f"{name} no longer imports a platform: drop its exception"
    else:
        assert not direct, f"{name} imports {direct}: go through studio.platforms.registry"
