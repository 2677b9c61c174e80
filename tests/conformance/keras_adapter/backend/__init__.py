"""keras.src.backend as test plumbing on TensorFlow: conversions, dtypes, variables.

keras's tests use their backend to build inputs and read outputs (``convert_to_numpy``,
``Variable`` as the state an optimizer updates, ``standardize_dtype`` to compare dtypes).
These are small TensorFlow equivalents for minikeras, which computes in float32 with
`tf.Variable` parameters. Symbolic tensors, sparse tensors and keras masks do not exist in
minikeras: using them raises `MissingNameError`. Other names are looked up in
``minikeras.backend`` if minikeras grows one, else are `Missing`.
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import tensorflow as tf

from keras_adapter._forward import MissingNameError, lookup

SUPPORTS_SPARSE_TENSORS = False
SUPPORTS_RAGGED_TENSORS = False
_FLOATX = "float32"
_EPSILON = 1e-7


def backend() -> str:
    """The adapter runs on TensorFlow."""
    return "tensorflow"


def floatx() -> str:
    """minikeras computes in float32."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Only float32 exists in minikeras."""
    if standardize_dtype(value) != "float32":
        raise MissingNameError(f"minikeras computes in float32 only (set_floatx({value!r}))")


def image_data_format() -> str:
    """minikeras's layers default to channels_last (keras's default image data format)."""
    return "channels_last"


def set_image_data_format(value: str) -> None:
    """Only keras's default, channels_last, exists in minikeras (no global image format)."""
    if value != "channels_last":
        raise MissingNameError("minikeras has no global image data format "
                               f"(set_image_data_format({value!r}))")


def epsilon() -> float:
    """The fuzz factor keras and minikeras use (1e-7)."""
    return _EPSILON


def standardize_dtype(dtype: Any) -> str:
    """A dtype (string, NumPy, TensorFlow or Python type) as keras's string name."""
    if dtype is None:
        return floatx()
    python = {int: "int64", float: "float32", bool: "bool", str: "string"}
    if dtype in python:
        return python[dtype]
    if isinstance(dtype, tf.DType):
        return dtype.name
    return np.dtype(dtype).name


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer type."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def is_tensor(x: Any) -> bool:
    """TensorFlow tensors (and variables)."""
    return tf.is_tensor(x)


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None) -> Any:
    """`tf.convert_to_tensor`, casting (rather than refusing) int/bool conversions."""
    if dtype is not None:
        dtype = standardize_dtype(dtype)
    if not tf.is_tensor(x):
        if dtype is not None and (dtype == "bool" or "int" in dtype):
            return tf.cast(tf.convert_to_tensor(x), dtype)
        return tf.convert_to_tensor(x, dtype=dtype)
    if dtype is not None and x.dtype.name != dtype:
        return tf.cast(x, dtype)
    return tf.convert_to_tensor(x)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of a tensor, variable or array-like."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return np.array(x.numpy())
    return np.array(x)


def shape(x: Any) -> tuple:
    """The static shape as a tuple."""
    return tuple(tf.convert_to_tensor(x).shape)


def standardize_shape(shape: Any) -> tuple:
    """A shape as a tuple of ints (None for unknown dimensions)."""
    if isinstance(shape, tf.TensorShape):
        shape = shape.as_list()
    return tuple(None if d is None else int(d) for d in shape)


def Variable(initializer: Any = None, shape: Any = None, dtype: Any = None,  # noqa: N802
             trainable: bool = True, name: str | None = None, **kwargs: Any) -> tf.Variable:
    """A `tf.Variable` (minikeras's parameter type) built as ``keras.Variable`` would be:
    from a value, or from a callable/initializer name given ``shape``."""
    if isinstance(initializer, str):
        initializer = importlib.import_module("minikeras.initializers").get(initializer)
    if callable(initializer) and not tf.is_tensor(initializer):
        value = initializer(tuple(shape), dtype=standardize_dtype(dtype))
    else:
        value = convert_to_tensor(initializer, dtype=dtype)
    return tf.Variable(value, trainable=trainable, name=name)


def name_scope(name: str, **kwargs: Any) -> Any:
    """`tf.name_scope`."""
    return tf.name_scope(name)


class _KerasTensorType(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        from minikeras.layers.symbolic import SymbolicTensor
        return isinstance(instance, SymbolicTensor)


class KerasTensor(metaclass=_KerasTensorType):
    """keras's symbolic tensor: minikeras's `SymbolicTensor` (what `Input` returns), so
    ``isinstance(x, KerasTensor)`` holds for it; constructing one makes one."""

    def __new__(cls, shape: Any, dtype: Any = "float32", sparse: bool = False,
                ragged: bool = False, name: str | None = None, **kwargs: Any) -> Any:
        if sparse or ragged:
            raise MissingNameError("minikeras has no sparse or ragged symbolic tensors")
        from minikeras.layers.symbolic import SymbolicTensor
        return SymbolicTensor(tuple(shape), dtype, name=name)


def compute_output_spec(*args: Any, **kwargs: Any) -> Any:
    """Symbolic tracing: minikeras has none."""
    raise MissingNameError("minikeras has no symbolic tensors (backend.compute_output_spec)")


def set_keras_mask(*args: Any, **kwargs: Any) -> Any:
    """keras masks: minikeras has none."""
    raise MissingNameError("minikeras has no masking (backend.set_keras_mask)")


class config:  # noqa: N801 - keras.src.backend.config is a module
    """The two config reads keras's tests make."""

    floatx = staticmethod(floatx)
    epsilon = staticmethod(epsilon)

    @staticmethod
    def image_data_format() -> str:
        return "channels_last"


def __getattr__(name: str) -> Any:
    if name == "random":
        return importlib.import_module("keras_adapter.random")
    try:
        minikeras_backend = importlib.import_module("minikeras.backend")
    except ImportError:
        minikeras_backend = None
    return lookup(__name__, name, [minikeras_backend] if minikeras_backend else [])
