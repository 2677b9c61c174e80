"""Imports TensorFlow without the keras that TensorFlow's own import would load.

``import tensorflow`` ends by importing ``keras.src.optimizers`` (TensorFlow's
``__init__.py``: "an eager load for Keras' code", for keras's SavedModel registrations), and
with it all of keras, scikit-learn and SciPy: about 1.7 s of ``import tensorflow``'s 5 s on
the 2-core machine (``python -X importtime -c "import tensorflow"``), on every ``python
script.py``. minikeras never uses keras, so when minikeras is what imports TensorFlow, that
one import is made to fail, and TensorFlow skips it as it does when keras is not installed.

Nothing else changes: TensorFlow still finds keras's directory (``tf.keras`` and ``from
tensorflow.keras import layers`` work, loading keras when first used), and ``import keras``
afterwards is an ordinary import. If TensorFlow or keras was imported before minikeras,
this does nothing.

The import also runs with Python's cyclic garbage collector paused (`collector_paused`):
importing TensorFlow and minikeras leaves over 400,000 objects that live as long as the
process, and the collector would traverse them again and again while they are created
(about 0.3 s), then every time it runs later, and once more at exit (about 0.6 s of a
script's teardown). After the import they are frozen (`gc.freeze`, the standard library's
tool for exactly this): the collector ignores them from then on and works as usual on
everything created afterwards.
"""
from __future__ import annotations

import contextlib
import gc
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Iterator
from typing import Any

DEFERRED = "keras"


class _DeferKeras(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """While TensorFlow imports: finds keras where it is installed (so TensorFlow can point
    ``tf.keras`` at it) but refuses to load it (so TensorFlow's eager load is skipped)."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != DEFERRED:
            return None
        real = importlib.machinery.PathFinder.find_spec(name)
        if real is None:
            return None
        return importlib.machinery.ModuleSpec(name, self, origin=real.origin, is_package=True)

    def create_module(self, spec: Any) -> None:
        raise ImportError(f"{DEFERRED} is loaded when first used, not while minikeras "
                          "imports TensorFlow", name=DEFERRED)

    def exec_module(self, module: Any) -> None:  # pragma: no cover - create_module refuses
        raise ImportError(DEFERRED, name=DEFERRED)


def import_tensorflow() -> Any:
    """Imports and returns ``tensorflow``, skipping its eager import of keras when neither
    was imported yet."""
    if "tensorflow" in sys.modules or DEFERRED in sys.modules:
        import tensorflow
        return tensorflow
    finder = _DeferKeras()
    sys.meta_path.insert(0, finder)
    try:
        import tensorflow
    finally:
        sys.meta_path.remove(finder)
    return tensorflow


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pauses the cyclic garbage collector while minikeras (and TensorFlow) import, then
    freezes the objects the import made (see the module docstring).

    A collector the program had disabled stays disabled, and nothing is frozen if the import
    fails. What is frozen is everything alive once minikeras is imported, TensorFlow's objects
    and any the program made before (usually its own imports): they are never collected as
    cyclic garbage afterwards, which only matters for one that later ends up in an
    unreachable reference cycle. The cyclic garbage the import itself leaves (about 1,600
    objects) stays allocated, as `gc.freeze` documents.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
