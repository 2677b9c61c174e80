"""Name forwarding from keras's module paths to minikeras, with loud placeholders.

``keras_adapter.losses.losses.Hinge`` resolves by looking ``Hinge`` up in the longest
importable minikeras module on the same path (``minikeras.losses.losses``, then
``minikeras.losses``). A name minikeras does not have becomes a `Missing` placeholder,
so that a keras test file still imports and only the tests using the name fail, with
`MissingNameError` naming the keras name.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

ADAPTER = "keras_adapter"


class MissingNameError(NotImplementedError):
    """A keras name that minikeras does not have was used."""


def _missing_message(path: str) -> str:
    return f"minikeras has no keras name `{path}`"


class Missing:
    """Stands for a keras name minikeras lacks; raises `MissingNameError` when used."""

    def __init__(self, path: str) -> None:
        self._path = path

    def _fail(self) -> None:
        raise MissingNameError(_missing_message(self._path))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._fail()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Missing(f"{self._path}.{name}")

    def __instancecheck__(self, instance: Any) -> bool:
        self._fail()

    def __mro_entries__(self, bases: tuple) -> tuple:
        """``class Foo(keras.models.Model)``: defined, but instantiating it fails."""
        path = self._path

        class MissingBase:
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                raise MissingNameError(_missing_message(path))

        MissingBase.__name__ = path.rsplit(".", 1)[-1]
        return (MissingBase,)

    def __iter__(self) -> Any:
        self._fail()

    def __repr__(self) -> str:
        return f"<missing keras name {self._path}>"


def _keras_src() -> Path | None:
    """keras's installed ``src`` directory (located, not imported), for module names."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "src"


_KERAS_SRC = _keras_src()


def keras_submodule(adapter_module: str, name: str) -> types.ModuleType | None:
    """The adapter module for ``<adapter_module>.<name>`` when keras has a module of that
    name there (so ``from keras.src.losses import losses`` gets a module, and
    ``from keras.src.losses import Hinge`` a name)."""
    if _KERAS_SRC is None:
        return None
    relative = Path(*adapter_module.split(".")[1:], name)
    base = _KERAS_SRC / relative
    if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
        return importlib.import_module(f"{adapter_module}.{name}")
    return None


def lookup(adapter_module: str, name: str, chain: list[types.ModuleType]) -> Any:
    """``name`` in ``adapter_module``: a keras submodule, else the first module of
    ``chain`` that has it, else a `Missing` placeholder."""
    if name.startswith("__"):
        raise AttributeError(name)
    module = keras_submodule(adapter_module, name)
    if module is not None:
        return module
    for candidate in chain:
        if hasattr(candidate, name):
            return getattr(candidate, name)
    return Missing(f"{adapter_module.replace(ADAPTER, 'keras', 1)}.{name}")


class ForwardModule(types.ModuleType):
    """A module whose attributes come from a chain of minikeras modules."""

    def __init__(self, name: str, chain: list[types.ModuleType]) -> None:
        super().__init__(name)
        self.__path__: list[str] = []
        self._chain = chain

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lookup(self.__name__, name, self._chain)


# keras modules whose names live elsewhere in minikeras (keras path -> minikeras module)
MOVED = {"trainers.data_adapters.py_dataset_adapter": "utils"}


def minikeras_chain(parts: list[str]) -> list[types.ModuleType]:
    """The importable minikeras modules along ``parts``, longest path first (a keras module
    listed in `MOVED` first gets the minikeras module that has its names)."""
    moved = MOVED.get(".".join(parts))
    chain = [importlib.import_module(f"minikeras.{moved}")] if moved else []
    for end in range(len(parts), 0, -1):
        try:
            chain.append(importlib.import_module("minikeras." + ".".join(parts[:end])))
        except ImportError:
            continue
    return chain


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        parts = spec.name.split(".")[1:]
        return ForwardModule(spec.name, minikeras_chain(parts))

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class ForwardFinder(importlib.abc.MetaPathFinder):
    """Finds ``keras_adapter.*`` modules that have no file in the adapter package."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if not fullname.startswith(ADAPTER + "."):
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)


def install() -> None:
    """Appends the finder (after the file finders, so real adapter modules win)."""
    if not any(isinstance(f, ForwardFinder) for f in sys.meta_path):
        sys.meta_path.append(ForwardFinder())
