"""The package's import chain: one way, no cycles, so any import order works (ruff may sort).

    core pieces -> engine -> saving -> callbacks -> models -> interop -> the package -> demo

Read from the source with `ast` (no import runs), counting only module-level imports: an
import inside a function is deliberate laziness (an optional dependency, keras in interop).
"""
import ast
import pathlib

import minikeras

ROOT = pathlib.Path(minikeras.__file__).parent
# The rank of each top-level part; a module may import only parts of its own rank or lower.
RANK = {"engine": 1, "saving": 2, "callbacks": 3, "models": 4, "interop": 5, "demo": 7,
        "__init__": 6, "__main__": 8}  # everything else is a core piece: rank 0


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def module_level_imports(path: pathlib.Path, modules: set[str]) -> set[str]:
    """The minikeras modules ``path`` imports at its top level: ``from a.b import c`` is
    module ``a.b.c`` when that is a module, else ``a.b`` (c is a name in it)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body:  # top level only
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "minikeras"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("minikeras"))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: module_level_imports(path, set(modules)) - {name}
            for name, path in modules.items()}


def test_imports_only_go_down_the_chain():
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            if RANK.get(part(target), 0) > RANK.get(part(module), 0):
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}  # 1 visiting, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            # a package's __init__ importing its own submodules is how packages work
            if target.startswith(node + "."):
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif state.get(target) is None:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "\n".join(cycles)


def test_the_checker_sees_imports():
    """The graph is not empty: the models import the trainer, the engine the steps."""
    edges = graph()
    assert "minikeras.models.model" in edges["minikeras.models.sequential"]
    assert "minikeras.engine.steps" in edges["minikeras.models.trainer"]
