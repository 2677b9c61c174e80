"""The public API of minikeras, as the documentation and its checks see it.

Public modules are `minikeras` and every minikeras module reachable from it through public
names; a module's public names are its ``__all__``, or, without one, the names not starting
with ``_`` that it defines itself (functions, classes, submodules). A public class's public
members are the methods and properties it defines whose names do not start with ``_``.

Used by the mkdocs hook (docstring and coverage checks) and by
tests/test_docstring_examples.py (which docstrings' ``Example:`` blocks to run).
"""
from __future__ import annotations

import inspect
import re
import textwrap
import types
from collections.abc import Iterator

ROOT = "minikeras"


def public_names(module: types.ModuleType) -> list[str]:
    """The module's ``__all__``, or the public names it defines itself."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    names = []
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, types.ModuleType):
            if value.__name__.startswith(module.__name__ + "."):
                names.append(name)
        elif getattr(value, "__module__", None) == module.__name__:
            names.append(name)
    return names


def public_modules() -> dict[str, types.ModuleType]:
    """Every public module by its import name, in discovery order (``minikeras`` first)."""
    import importlib

    found: dict[str, types.ModuleType] = {}

    def walk(module: types.ModuleType) -> None:
        if module.__name__ in found:
            return
        found[module.__name__] = module
        for name in public_names(module):
            value = getattr(module, name)
            if isinstance(value, types.ModuleType) and value.__name__.startswith(ROOT + "."):
                walk(value)

    walk(importlib.import_module(ROOT))
    return found


def public_objects() -> Iterator[tuple[str, object]]:
    """``(dotted name, object)`` for every public module, name and class member.

    A name is reported under the module that lists it (``minikeras.layers.Dense``), once per
    module that lists it; a module listed under another name (``minikeras.config``) is
    reported under both.
    """
    for module_name, module in public_modules().items():
        if module_name == ROOT:
            yield module_name, module
        for name in public_names(module):
            value = getattr(module, name)
            dotted = f"{module_name}.{name}"
            yield dotted, value
            if inspect.isclass(value):
                for member, attribute in vars(value).items():
                    if member.startswith("_"):
                        continue
                    if isinstance(attribute, property):
                        yield f"{dotted}.{member}", attribute
                    elif isinstance(attribute, (types.FunctionType, staticmethod, classmethod)):
                        yield f"{dotted}.{member}", getattr(value, member)


def docstring(name: str, value: object) -> str:
    """The docstring a reader sees, inherited from a base class's method if not overridden."""
    if isinstance(value, property):
        owner_name, member = name.rsplit(".", 1)
        doc = inspect.getdoc(value) or ""
        if not doc:
            owner = _resolve(owner_name)
            for base in getattr(owner, "__mro__", ())[1:]:
                attribute = vars(base).get(member)
                if attribute is not None and inspect.getdoc(attribute):
                    return inspect.getdoc(attribute)
        return doc
    if isinstance(value, (int, float, str, bool, tuple, list, dict)) or value is None:
        return "(a value)"
    return inspect.getdoc(value) or ""


def _resolve(dotted: str) -> object:
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            value = getattr(value, part)
        return value
    raise ImportError(dotted)


def missing_docstrings() -> list[str]:
    """Public names (modules, names in ``__all__``, class members) that have no docstring."""
    return [name for name, value in public_objects() if not docstring(name, value).strip()]


_SECTION = re.compile(r"^(?P<indent>[ \t]*)Examples?:[ \t]*$", re.M)


def example_blocks(doc: str) -> list[str]:
    """The dedented text of each ``Example:``/``Examples:`` section of a docstring.

    A section is the indented block under the header line, up to the first line indented no
    deeper than the header (a blank line does not end it).
    """
    blocks = []
    lines = doc.splitlines()
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if not match:
            continue
        indent = len(match.group("indent").expandtabs())
        body = []
        for following in lines[index + 1:]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        while body and not body[-1].strip():
            body.pop()
        if body:
            blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def public_examples() -> list[tuple[str, str]]:
    """``(dotted name, example text)`` for each Example block in a public docstring, each
    docstring taken once (an object listed under several names is reported under the first)."""
    seen: set[int] = set()
    examples = []
    for name, value in public_objects():
        if isinstance(value, property):
            doc = inspect.getdoc(value) or ""
        else:
            doc = inspect.getdoc(value) if not isinstance(value, (int, float, str)) else ""
            # inherited docstrings are the base's examples: collected under the base's name
            own = getattr(value, "__doc__", None)
            if not own:
                continue
        key = id(value.fget if isinstance(value, property) else value)
        if key in seen or not doc:
            continue
        seen.add(key)
        for number, block in enumerate(example_blocks(doc)):
            examples.append((f"{name}[{number}]" if number else name, block))
    return examples
