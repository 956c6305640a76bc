"""The package order is a fact: lean_env < search < prover < selfplay < cli.

Read from the source (no import runs): every import of a project module, at any depth, must go
down or sideways in that order, so there is no package cycle. Module cycles are allowed only
inside `lean_env/mini`, each stated in `STATED_CYCLES` with its reason. A function-level import
must earn its place: its target is heavy (imports a library in `HEAVY` when loaded, so the
importer stays light and `leanzero --help` fast), or it is an optional backend opened lazily
from outside it, or it closes a stated cycle. The checker is a function so that a test can show
it failing on a planted `prover -> selfplay` import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("lean_env", "search", "prover", "selfplay", "cli")
# Third-party libraries slow to import or optional; a module that loads one at import time is heavy.
HEAVY = ("torch", "ray", "numpy", "z3", "sympy", "networkx", "matplotlib", "rich", "lean_interact", "lean_dojo")
BACKENDS = ("lean_env.mini", "lean_env.repl", "lean_env.dojo")  # opened lazily by `lean_env.open_env`

# Module cycles allowed, each a set of modules with its reason; only inside lean_env/mini.
STATED_CYCLES: dict[frozenset[str], str] = {
    frozenset({"lean_env.mini.lemmas", "lean_env.mini.proofterm"}):
        "a proof term names library lemmas (proofterm reads the LEMMAS table) and a lemma elaborates "
        "its explicit arguments as proof terms (lemmas calls term_of): the checker is recursive by "
        "nature; lemmas imports proofterm inside its functions, so either module loads first",
}


@dataclass(frozen=True, slots=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (project or third-party), resolved
    line: int
    lazy: bool  # inside a function


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str | None, level: int, name: str, source: str, is_package: bool, known: set[str]) -> str:
    if level:
        base = source.split(".")
        base = base if is_package else base[:-1]
        base = base[: len(base) - (level - 1)]
        module = ".".join(base + ([module] if module else []))
    assert module is not None
    candidate = f"{module}.{name}"
    return candidate if candidate in known else module


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(source: str, text: str, *, is_package: bool, known: set[str]) -> list[Import]:
    """The imports in one module's text (those under `if TYPE_CHECKING:` do not run)."""
    found: list[Import] = []

    def visit(node: ast.AST, lazy: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit(sub, lazy)
                continue
            if isinstance(child, ast.Import):
                found.extend(Import(source, a.name, child.lineno, lazy) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                for a in child.names:
                    target = _resolve(child.module, child.level, a.name, source, is_package, known)
                    found.append(Import(source, target, child.lineno, lazy))
            visit(child, lazy or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(ast.parse(text), False)
    return found


def read_sources(root: Path = REPO) -> dict[str, tuple[str, bool]]:
    """module -> (text, is_package) for every module of the layered packages."""
    out = {}
    for package in LAYERS:
        for path in sorted((root / package).rglob("*.py")):
            out[module_name(path, root)] = (path.read_text(encoding="utf-8"), path.name == "__init__.py")
    return out


def all_imports(sources: Mapping[str, tuple[str, bool]]) -> list[Import]:
    known = set(sources)
    return [i for m, (text, pkg) in sources.items() for i in imports_of(m, text, is_package=pkg, known=known)]


def layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def _within(module: str, prefixes: Iterable[str]) -> str | None:
    return next((p for p in prefixes if module == p or module.startswith(p + ".")), None)


def upward_imports(imports: Iterable[Import]) -> list[str]:
    """Imports against the order of LAYERS (these are also the only way to a package cycle)."""
    bad = []
    for i in imports:
        low, high = layer(i.target), layer(i.source)
        if low is not None and high is not None and low > high:
            bad.append(f"{i.source}:{i.line} imports {i.target} ({LAYERS[high]} may not import {LAYERS[low]})")
    return bad


def module_cycles(imports: Iterable[Import]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan), project modules only."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if layer(i.source) is not None and layer(i.target) is not None and i.source != i.target:
            graph.setdefault(i.source, set()).add(i.target)
            graph.setdefault(i.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[frozenset[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return components


def heavy_loads(sources: Mapping[str, tuple[str, bool]], imports: Iterable[Import]) -> dict[str, set[str]]:
    """For each project module, the HEAVY libraries and backends that importing it loads (eagerly)."""
    eager: dict[str, set[str]] = {m: set() for m in sources}
    for i in imports:
        if not i.lazy and i.source in eager:
            eager[i.source].add(i.target)

    def own(m: str) -> set[str]:
        return {x for x in (_within(m, HEAVY), _within(m, BACKENDS)) if x}

    loads = {m: set().union(*(own(t) for t in targets)) for m, targets in eager.items()}
    changed = True
    while changed:
        changed = False
        for m, targets in eager.items():
            more = set().union(*(loads.get(t, set()) for t in targets)) - loads[m]
            if more:
                loads[m] |= more
                changed = True
    return loads


def unjustified_lazy_imports(sources: Mapping[str, tuple[str, bool]], imports: list[Import]) -> list[str]:
    """Function-level imports with no reason to be there: the target loads no HEAVY library and no
    backend the importer does not already belong to, and closes no stated cycle."""
    loads = heavy_loads(sources, imports)
    bad: list[str] = []
    for i in imports:
        if not i.lazy or i.source == i.target:
            continue
        pulled = {x for x in (_within(i.target, HEAVY), _within(i.target, BACKENDS)) if x}
        pulled |= loads.get(i.target, set())
        if pulled - {_within(i.source, BACKENDS)}:
            continue  # keeps the importer light, or an optional backend lazy
        if any(i.source in c and i.target in c for c in STATED_CYCLES):
            continue  # closes a stated cycle
        message = f"{i.source}:{i.line} imports {i.target} inside a function: it is light; import it at the top"
        if message not in bad:
            bad.append(message)
    return bad


# ---------------------------------------------------------------- the tests


def test_imports_follow_the_layers() -> None:
    assert upward_imports(all_imports(read_sources())) == []


def test_module_cycles_only_where_stated() -> None:
    cycles = module_cycles(all_imports(read_sources()))
    for cycle in cycles:
        assert all(_within(m, ("lean_env.mini",)) for m in cycle), (
            f"a module cycle outside lean_env/mini: {sorted(cycle)}"
        )
        assert any(cycle <= stated for stated in STATED_CYCLES), f"an unstated cycle: {sorted(cycle)}"


def test_function_level_imports_are_justified() -> None:
    sources = read_sources()
    assert unjustified_lazy_imports(sources, all_imports(sources)) == []


def test_the_checks_catch_a_planted_violation() -> None:
    sources = dict(read_sources())
    sources["prover.planted"] = ("from selfplay.store import RunDir\n", False)
    bad = upward_imports(all_imports(sources))
    assert bad == ["prover.planted:1 imports selfplay.store (prover may not import selfplay)"]
    # a cycle between two packages: search -> prover closes a loop with prover -> search
    sources = dict(read_sources())
    sources["search.planted"] = ("import prover.planted\n", False)
    sources["prover.planted"] = ("from search import planted\n", False)
    imports = all_imports(sources)
    assert any("search.planted" in b for b in upward_imports(imports))
    assert any({"search.planted", "prover.planted"} <= c for c in module_cycles(imports))
    # a light import hidden in a function
    sources = dict(read_sources())
    sources["prover.planted"] = ("def f():\n    from lean_env.text.lexical import scan\n", False)
    assert unjustified_lazy_imports(sources, all_imports(sources)) == [
        "prover.planted:2 imports lean_env.text.lexical inside a function: it is light; import it at the top"]
    sources["prover.planted"] = ("def f():\n    import torch\n", False)
    assert unjustified_lazy_imports(sources, all_imports(sources)) == []
