"""`TestCase`: keras's assertion helpers for keras's tests, run against minikeras.

The helpers keep the names, signatures and tolerances keras's tests rely on
(``assertAllClose`` with atol=rtol=1e-6, ``run_class_serialization_test``,
``run_layer_test``...), implemented here on NumPy and minikeras's public API.
"""
from __future__ import annotations

import importlib
import inspect
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from keras_adapter import backend
from keras_adapter.testing import layer_checks

# minikeras modules whose serialize/deserialize pair round-trips an object's config.
_SERIALIZING_MODULES = ("losses", "metrics", "optimizers", "initializers", "regularizers",
                        "activations", "constraints", "layers", "callbacks", "saving")


def to_json_with_tuples(value: Any) -> str:
    """Canonical JSON of a config, tuples kept distinct from lists."""
    def encode(obj: Any) -> Any:
        if isinstance(obj, tuple):
            return {"__tuple__": [encode(v) for v in obj]}
        if isinstance(obj, list):
            return [encode(v) for v in obj]
        if isinstance(obj, dict):
            return {k: encode(v) for k, v in obj.items()}
        return obj
    return json.dumps(encode(value), sort_keys=True, indent=1)


def from_json_with_tuples(text: str) -> Any:
    """Inverse of `to_json_with_tuples`."""
    return json.loads(text, object_hook=lambda d: tuple(d["__tuple__"]) if "__tuple__" in d else d)


def _serializer_for(instance: Any) -> tuple[Any, Any] | None:
    """minikeras's (serialize, deserialize) pair that accepts ``instance``, if any."""
    for name in _SERIALIZING_MODULES:
        try:
            module = importlib.import_module(f"minikeras.{name}")
        except ImportError:
            continue
        serialize, deserialize = (getattr(module, "serialize", None),
                                  getattr(module, "deserialize", None))
        if serialize is None or deserialize is None:
            continue
        try:
            serialize(instance)
        except Exception:  # noqa: BLE001 - not this module's kind of object
            continue
        return serialize, deserialize
    return None


def _call_deserialize(deserialize: Any, config: Any, custom_objects: Any) -> Any:
    params = inspect.signature(deserialize).parameters
    if custom_objects and "custom_objects" in params:
        return deserialize(config, custom_objects=custom_objects)
    return deserialize(config)


class TestCase(parameterized.TestCase):
    """absl's parameterized TestCase with keras's assertion helpers."""

    maxDiff = None

    def setUp(self) -> None:
        """Clears global state (name counters) as keras's setUp does, when minikeras offers
        ``backend.clear_session``."""
        super().setUp()
        clear_session = getattr(importlib.import_module("minikeras").__dict__.get("backend"),
                                "clear_session", None)
        if callable(clear_session):
            clear_session()

    def get_temp_dir(self) -> str:
        """A fresh directory, removed after the test."""
        temp_dir = tempfile.mkdtemp()
        self.addCleanup(lambda: shutil.rmtree(temp_dir, ignore_errors=True))
        return temp_dir

    def convert_to_numpy(self, x: Any) -> np.ndarray:
        """NumPy view of a tensor, variable, array or nested Python numbers."""
        return x if isinstance(x, np.ndarray) else backend.convert_to_numpy(x)

    def assertAllClose(self, actual: Any, desired: Any, atol: float = 1e-6,  # noqa: N802
                       rtol: float = 1e-6, tpu_atol: Any = None, tpu_rtol: Any = None,
                       msg: str | None = None) -> None:
        """Same shape (after broadcasting rules of NumPy) and close elementwise."""
        np.testing.assert_allclose(self.convert_to_numpy(actual), self.convert_to_numpy(desired),
                                   atol=atol, rtol=rtol, err_msg=msg or "")

    def assertNotAllClose(self, x1: Any, x2: Any, atol: float = 1e-6, rtol: float = 1e-6,  # noqa: N802
                          msg: str | None = None) -> None:
        """Fails when every element is close."""
        try:
            self.assertAllClose(x1, x2, atol=atol, rtol=rtol)
        except AssertionError:
            return
        raise AssertionError(f"The two values are close at all elements. {msg or ''} Values: {x1}")

    def assertAlmostEqual(self, actual: Any, desired: Any, decimal: int = 3,  # noqa: N802
                          tpu_decimal: Any = None, msg: str | None = None) -> None:
        """Equal to ``decimal`` places (arrays allowed)."""
        np.testing.assert_almost_equal(self.convert_to_numpy(actual),
                                       self.convert_to_numpy(desired), decimal=decimal,
                                       err_msg=msg or "")

    def assertAllEqual(self, actual: Any, desired: Any, msg: str | None = None) -> None:  # noqa: N802
        """Exactly equal arrays."""
        np.testing.assert_array_equal(self.convert_to_numpy(actual),
                                      self.convert_to_numpy(desired), err_msg=msg or "")

    def assertLen(self, iterable: Any, expected_len: int, msg: str | None = None) -> None:  # noqa: N802
        """``len(iterable) == expected_len``."""
        self.assertEqual(len(iterable), expected_len, msg=msg)

    def assertSparse(self, x: Any, sparse: bool = True) -> None:  # noqa: N802
        """A `tf.SparseTensor` (or not)."""
        (self.assertIsInstance if sparse else self.assertNotIsInstance)(x, tf.SparseTensor)

    def assertRagged(self, x: Any, ragged: bool = True) -> None:  # noqa: N802
        """A `tf.RaggedTensor` (or not)."""
        (self.assertIsInstance if ragged else self.assertNotIsInstance)(x, tf.RaggedTensor)

    def assertDType(self, x: Any, dtype: Any, msg: str | None = None) -> None:  # noqa: N802
        """``x``'s dtype, as a keras dtype name, is ``dtype``."""
        x_dtype = backend.standardize_dtype(x.dtype if hasattr(x, "dtype") else type(x))
        expected = backend.standardize_dtype(dtype)
        self.assertEqual(x_dtype, expected, msg=msg or
                         f"The dtype of x does not match: x.dtype={x_dtype}, dtype={dtype}")

    def assertFileExists(self, path: str) -> None:  # noqa: N802
        """``path`` is a file."""
        if not Path(path).is_file():
            raise AssertionError(f"File {path} does not exist")

    def run_class_serialization_test(self, instance: Any, custom_objects: Any = None) -> Any:
        """``get_config``/``from_config`` round trip (same config, same attribute names;
        ``custom_objects`` go to a ``from_config`` that takes them, where keras opens a
        `custom_object_scope`), then minikeras's ``serialize``/``deserialize`` round trip
        for the object's kind."""
        cls = type(instance)
        config_json = to_json_with_tuples(instance.get_config())
        ref_dir = set(dir(instance)) - {"__annotations__"}
        revived = _call_deserialize(cls.from_config, instance.get_config(), custom_objects)
        self.assertEqual(config_json, to_json_with_tuples(revived.get_config()))
        self.assertEqual(ref_dir, set(dir(revived)) - {"__annotations__"})
        pair = _serializer_for(instance)
        if pair is None:
            return revived
        serialize, deserialize = pair
        serialized = from_json_with_tuples(to_json_with_tuples(serialize(instance)))
        revived = _call_deserialize(deserialize, serialized, custom_objects)
        self.assertEqual(config_json, to_json_with_tuples(revived.get_config()))
        self.assertEqual(ref_dir, set(dir(revived)) - {"__annotations__"})
        return revived

    def run_layer_test(self, layer_cls: type, init_kwargs: dict, **kwargs: Any) -> None:
        """keras's layer checks (see `layer_checks.run_layer_test`)."""
        layer_checks.run_layer_test(self, layer_cls, init_kwargs, **kwargs)
