"""The package's shape: imports run one way down the stages, no cycle, no module too long.

The allowed order is written here once; docs/architecture.md shows the same list and a test
below keeps the two equal.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "feedhub"
MAX_LINES = 300
# The limit is an alarm, not a knife: a module may go over it when splitting it would put
# code on the wrong floor, and is then listed here with the reason. None is, today.
LONG_MODULES: dict[str, str] = {}

# Beyond the order of the stages: imports that would let one floor reach past the port it is
# given. The web layer serves what the service's parts give it; it never parses or fetches
# upstream content itself. Publishing asks the media cache only for image markup.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "feedhub.web": ("feedhub.sources", "feedhub.ingest.workers"),
    "feedhub.publish": ("feedhub.media.cache", "feedhub.media.upkeep", "feedhub.ingest.workers"),
}

# Lowest first. A module belongs to the longest prefix that names it; it may import from its
# own stage and from the stages before it, never from one after it.
STAGES: list[tuple[str, ...]] = [
    ("feedhub", "feedhub.models", "feedhub.logs", "feedhub.metrics"),
    ("feedhub.config",),
    ("feedhub.content",),
    ("feedhub.fetch",),
    ("feedhub.sources",),
    ("feedhub.store",),
    ("feedhub.ingest",),
    ("feedhub.media",),
    ("feedhub.alerts",),
    ("feedhub.publish",),
    ("feedhub.service",),
    ("feedhub.web",),
    ("feedhub.cli", "feedhub.__main__"),
]

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Every feedhub module `path` imports, wherever the import stands (function bodies and
    `if TYPE_CHECKING:` blocks included): a hidden cycle is still a cycle to a reader."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import mod` imports the module pkg.mod; `from mod import name`, mod.
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import feedhub.a.b` names feedhub.a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> Graph:
    modules = package_modules()
    known = set(modules)
    return {name: imports_of(path, name, known) for name, path in modules.items()}


def stage_of(module: str) -> int:
    best, best_len = -1, -1
    for index, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0:
        raise AssertionError(f"{module} is in no stage: add it to STAGES")
    return best


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward(graph: Graph) -> list[str]:
    """Every import from a lower stage into a higher one, as "a -> b"."""
    return sorted(
        f"{a} -> {b}" for a, targets in graph.items() for b in targets if stage_of(b) > stage_of(a)
    )


def inside(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def forbidden(graph: Graph) -> list[str]:
    """Every import that FORBIDDEN rules out, as "a -> b"."""
    return sorted(
        f"{a} -> {b}"
        for a, targets in graph.items()
        for b in targets
        for floor, banned in FORBIDDEN.items()
        if inside(a, floor) and any(inside(b, ban) for ban in banned)
    )


def test_no_import_cycle_in_the_package():
    assert cycles(import_graph()) == []


def test_the_web_and_publishing_import_only_through_their_ports():
    assert forbidden(import_graph()) == []


def test_a_forbidden_import_is_rejected():
    graph = {
        "feedhub.web.websub": {"feedhub.ingest.workers", "feedhub.ingest.websub"},
        "feedhub.web.admin_view": {"feedhub.sources.consent", "feedhub.models"},
        "feedhub.publish.widgets": {"feedhub.media.cache", "feedhub.media.markup"},
        "feedhub.media.lifecycle": {"feedhub.media.cache"},
    }
    assert forbidden(graph) == [
        "feedhub.publish.widgets -> feedhub.media.cache",
        "feedhub.web.admin_view -> feedhub.sources.consent",
        "feedhub.web.websub -> feedhub.ingest.workers",
    ]


def test_imports_run_only_down_the_stages():
    assert upward(import_graph()) == []


def test_every_module_belongs_to_a_stage():
    for module in package_modules():
        stage_of(module)


def test_a_cycle_is_rejected():
    graph = {
        "feedhub.sources.a": {"feedhub.sources.b"},
        "feedhub.sources.b": {"feedhub.sources.c"},
        "feedhub.sources.c": {"feedhub.sources.a"},
        "feedhub.models": set(),
    }
    assert cycles(graph) == [["feedhub.sources.a", "feedhub.sources.b", "feedhub.sources.c"]]


def test_an_upward_import_is_rejected():
    graph = {
        "feedhub.ingest.poller": {"feedhub.service", "feedhub.store"},
        "feedhub.store": {"feedhub.models"},
        "feedhub.service": set(),
        "feedhub.models": set(),
    }
    assert upward(graph) == ["feedhub.ingest.poller -> feedhub.service"]


def test_a_hidden_import_counts(tmp_path):
    """An import under TYPE_CHECKING or inside a function is an edge all the same."""
    path = tmp_path / "poller.py"
    path.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from feedhub.service import Service\n"
        "def f():\n    from feedhub.web import app\n"
    )
    known = {"feedhub.service", "feedhub.web", "feedhub.web.app", "feedhub.ingest.poller"}
    assert imports_of(path, "feedhub.ingest.poller", known) == {
        "feedhub.service",
        "feedhub.web.app",
    }


@pytest.mark.parametrize("name", sorted(package_modules()))
def test_module_is_short_enough_to_read_in_one_sitting(name):
    lines = package_modules()[name].read_text(encoding="utf-8").count("\n")
    if name in LONG_MODULES:
        return
    assert lines <= MAX_LINES, (
        f"{name} has {lines} lines (at most {MAX_LINES}): split it by"
        " responsibility, or list it in LONG_MODULES with the reason"
    )


def test_every_listed_long_module_is_still_long():
    """An entry that no longer needs its exception goes, so the list stays true."""
    for name in LONG_MODULES:
        lines = package_modules()[name].read_text(encoding="utf-8").count("\n")
        assert lines > MAX_LINES, f"{name} has {lines} lines: remove it from LONG_MODULES"


def test_architecture_doc_names_the_stages_in_order_and_only_folders_that_exist():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    listed = [line.strip() for line in block.splitlines() if line.strip()]
    assert listed == [", ".join(prefixes) for prefixes in STAGES]
    folders = set(re.findall(r"`(feedhub/[\w/]+/)`", doc))
    assert folders, "the doc names no folder"
    for folder in folders:
        assert (ROOT / folder).is_dir(), f"docs/architecture.md names {folder}, which is gone"


def test_the_serving_process_loads_neither_the_redis_client_nor_pillow() -> None:
    """A daemon on SQLite imports what `feedhub serve` imports, and no more: the Redis client
    is for the Redis backend, Pillow for the media workers (each costs start-up time and
    memory in every process that loads it)."""
    code = (
        "import sys, feedhub.cli, feedhub.service, feedhub.web.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'redis', 'PIL'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def imports_of_test_modules(tests_dir: Path) -> list[str]:
    """Each import of a `tests.test_*` module by a test module under `tests_dir`, absolute or
    relative, as "tests/test_a.py imports tests.test_b"."""
    found: list[str] = []
    for path in sorted(tests_dir.rglob("test_*.py")):
        rel = path.relative_to(tests_dir.parent)
        package = list(rel.parts[:-1])
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets += [module] + [f"{module}.{alias.name}" for alias in node.names]
        for target in targets:
            parts = target.split(".")
            if parts[0] != tests_dir.name:
                continue
            for n, part in enumerate(parts[1:], start=2):
                if part.startswith("test_"):
                    line = f"{rel.as_posix()} imports {'.'.join(parts[:n])}"
                    if line not in found:
                        found.append(line)
                    break
    return found


def test_an_import_of_a_test_module_is_found_absolute_or_relative(tmp_path):
    tests = tmp_path / "tests"
    (tests / "sub").mkdir(parents=True)
    (tests / "test_b.py").write_text("from tests.widget_cases import CASES\n")
    (tests / "test_a.py").write_text(
        "import tests.test_b\nfrom tests.test_b import x\n"
        "def f():\n    from . import test_b, images\n"
    )
    (tests / "sub" / "test_c.py").write_text("from ..test_b import x\nfrom .test_d import y\n")
    assert imports_of_test_modules(tests) == [
        "tests/sub/test_c.py imports tests.test_b",
        "tests/sub/test_c.py imports tests.sub.test_d",
        "tests/test_a.py imports tests.test_b",
    ]


def test_no_test_module_imports_another_test_module():
    """What test modules share lives in support modules (tests/*_support.py and the like,
    conftest.py): a test module can be run, renamed or deleted alone without breaking another."""
    found = imports_of_test_modules(ROOT / "tests")
    assert not found, "\n".join(found)
