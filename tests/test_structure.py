"""The package keeps its shape: imports flow one way (no cycles, counting imports written
inside functions; only the ``Journey`` facade's convenience methods may reach up
lazily), and no source file grows past 800 lines."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "journeywidget"
FACADE = "journeywidget.journey"
MAX_LINES = 800


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def imports_of(path: Path, modules: set[str], root: Path = PACKAGE, facade: str = FACADE) -> set[str]:
    """Package modules ``path`` imports, anywhere in the file (functions included), except
    under ``if TYPE_CHECKING:`` and inside the facade's functions."""
    me = module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        lazy = me == facade and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        if lazy or _type_checking(node):
            skipped.update(id(sub) for sub in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names = [mod] + [f"{mod}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:  # the longest package module it names
                name = name.rpartition(".")[0]
            if name and name != me and not name.startswith(me + "."):
                found.add(name)
    return found


def import_graph(root: Path = PACKAGE, facade: str = FACADE) -> dict[str, set[str]]:
    files = sorted(root.rglob("*.py"))
    modules = {module_name(f, root) for f in files}
    return {module_name(f, root): imports_of(f, modules, root, facade) for f in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_checker_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_counts_imports_inside_functions(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "low.py").write_text("def f():\n    from .sub import high\n")
    (pkg / "sub" / "high.py").write_text("from ..low import f\n")
    (pkg / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import low\n")
    (pkg / "facade.py").write_text("from . import low\ndef widget():\n    from .sub import high\n")
    graph = import_graph(pkg, facade="pkg.facade")
    assert cycles(graph) == [["pkg.low", "pkg.sub.high"]]  # a function-level import counts
    assert graph["pkg.typed"] == set()  # TYPE_CHECKING imports do not
    assert graph["pkg.facade"] == {"pkg", "pkg.low"}  # the facade's methods may reach up


def test_imports_flow_one_way():
    found = cycles(import_graph())
    assert found == [], "import cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_layers_do_not_reach_up():
    """core imports nothing of the package's; document only core; data no charts, widget
    or export; charts no widget or export; nothing imports the cli."""
    graph = import_graph()
    allowed = {
        "journeywidget.core": ("journeywidget.core",),
        "journeywidget.document": ("journeywidget.core", "journeywidget.document"),
        "journeywidget.data": ("journeywidget.core", "journeywidget.document", FACADE,
                               "journeywidget.data"),
        "journeywidget.charts": ("journeywidget.core", "journeywidget.document", FACADE,
                                 "journeywidget.data", "journeywidget.charts"),
    }
    wrong = []
    for module, targets in graph.items():
        for layer, ok in allowed.items():
            if module == layer or module.startswith(layer + "."):
                wrong += [f"{module} -> {t}" for t in targets if not t.startswith(ok)]
        if module != "journeywidget.__main__":
            wrong += [f"{module} -> {t}" for t in targets if t == "journeywidget.cli"]
    assert wrong == []


def _long_files(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{path.relative_to(REPO)}: {n} lines")
    return out


def test_python_sources_stay_short():
    assert _long_files(sorted(PACKAGE.rglob("*.py"))) == []


def test_typescript_sources_stay_short():
    files = sorted((REPO / "js" / "src").rglob("*.ts"))
    assert files
    assert _long_files(files) == []


def test_every_public_name_resolves():
    """``jw.<name>`` for every name the package lists: the lazy classes and the module
    aliases kept from the flat layout (``jw.metrics``, ``jw.charts``, ``jw.items``...)."""
    import importlib

    import journeywidget as jw

    for name in jw.__all__:
        assert getattr(jw, name) is not None, name
    assert jw.charts.overlay_spec and jw.datasets.events and jw.export.to_html
    assert jw.metrics.JourneyMetrics is jw.JourneyMetrics is jw.binding.JourneyMetrics
    assert jw.insights.Insight and jw.items.Touchpoint is jw.Touchpoint
    assert jw.CHANNELS == importlib.import_module("journeywidget.core.vocabulary").CHANNELS
    assert set(jw.__all__) <= set(dir(jw))
