"""keras's module paths, pointed at minikeras: what the fetched keras tests import.

The harness rewrites ``keras.src.X`` and ``import keras`` in keras's test files to this
package. API modules (``losses``, ``metrics``, ``layers``, ...) forward every name to the
minikeras module on the same path (see `_forward`); names minikeras lacks become
placeholders that fail the test using them. Test plumbing keras's tests need from its
backend (``backend``, ``ops``, ``tree``, ``random``, ``testing``) is written here on
TensorFlow and NumPy: it is not the API under test.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

import minikeras
from keras_adapter._forward import Missing, install

install()

# Lower-case names keras has as modules (imported as adapter modules, real or forwarded).
MODULES = {
    "activations", "applications", "backend", "callbacks", "config", "constraints",
    "datasets", "distribution", "dtype_policies", "export", "initializers", "layers",
    "losses", "metrics", "models", "ops", "optimizers", "quantizers", "random",
    "regularizers", "saving", "testing", "trainers", "tree", "utils", "visualization",
}


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    if name == "src":
        return sys.modules[__name__]
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in ("Variable", "KerasTensor"):
        return getattr(importlib.import_module(f"{__name__}.backend"), name)
    if hasattr(minikeras, name):
        return getattr(minikeras, name)
    return Missing(f"keras.{name}")
