"""keras.src.ops as test plumbing: NumPy-style TensorFlow ops the tests use on data.

keras's tests build inputs and reduce outputs with ``ops.*`` (``ops.ones``, ``ops.sum``,
``ops.one_hot``...). Here they are `tf` / `tf.experimental.numpy` equivalents returning
TensorFlow tensors, the type minikeras takes and returns. Names not written out below fall
back to ``tf.experimental.numpy``; anything else is `Missing`.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

from keras_adapter._forward import Missing
from keras_adapter.backend import convert_to_numpy, convert_to_tensor, standardize_dtype

__all__ = ["convert_to_numpy", "convert_to_tensor"]


def _float(dtype: Any) -> str:
    return standardize_dtype(dtype) if dtype is not None else "float32"


def array(x: Any, dtype: Any = None) -> tf.Tensor:
    """A tensor from array-like data."""
    return convert_to_tensor(x, dtype=dtype)


def ones(shape: Any, dtype: Any = None) -> tf.Tensor:
    """float32 ones by default."""
    return tf.ones(shape, dtype=_float(dtype))


def zeros(shape: Any, dtype: Any = None) -> tf.Tensor:
    """float32 zeros by default."""
    return tf.zeros(shape, dtype=_float(dtype))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> tf.Tensor:
    """A filled tensor, float32 by default."""
    return tf.fill(shape, tf.cast(fill_value, _float(dtype)))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> tf.Tensor:
    """`tnp.arange`; float32 for float arguments (keras's default dtype)."""
    out = tnp.arange(start, stop, step, dtype=dtype)
    if dtype is None and out.dtype == tf.float64:
        out = tf.cast(out, "float32")
    return tf.convert_to_tensor(out)


def cast(x: Any, dtype: Any) -> tf.Tensor:
    """`tf.cast`."""
    return tf.cast(convert_to_tensor(x), standardize_dtype(dtype))


def shape(x: Any) -> tuple:
    """The static shape as a tuple."""
    return tuple(convert_to_tensor(x).shape)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            **kwargs: Any) -> tf.Tensor:
    """`tf.one_hot`, float32 by default."""
    return tf.one_hot(tf.cast(convert_to_tensor(x), "int32"), num_classes, axis=axis,
                      dtype=_float(dtype))


def expand_dims(x: Any, axis: int) -> tf.Tensor:
    """`tf.expand_dims`."""
    return tf.expand_dims(convert_to_tensor(x), axis)


def transpose(x: Any, axes: Any = None) -> tf.Tensor:
    """`tf.transpose`."""
    return tf.transpose(convert_to_tensor(x), perm=axes)


def matmul(a: Any, b: Any) -> tf.Tensor:
    """`tf.matmul`."""
    return tf.matmul(convert_to_tensor(a), convert_to_tensor(b))


def _reduce(fn: Any) -> Any:
    def reduce(x: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> tf.Tensor:
        if isinstance(axis, list):
            axis = tuple(axis)
        return fn(convert_to_tensor(x), axis=axis, keepdims=keepdims)
    reduce.__doc__ = f"`{fn.__name__}` over ``axis``."
    return reduce


sum = _reduce(tf.reduce_sum)  # noqa: A001 - keras's name
mean = _reduce(tf.reduce_mean)
max = _reduce(tf.reduce_max)  # noqa: A001
min = _reduce(tf.reduce_min)  # noqa: A001
prod = _reduce(tf.reduce_prod)


class _Comparison:
    """``ops.greater`` / ``ops.less``: elementwise comparisons that also compare equal to
    the `operator` function (``operator.gt`` / ``operator.lt``) minikeras's monitoring
    callbacks keep as ``monitor_op`` where keras keeps ``ops.greater`` / ``ops.less``."""

    def __init__(self, fn: Any, python_op: Any):
        self._fn, self._python_op = fn, python_op

    def __call__(self, x: Any, y: Any) -> tf.Tensor:
        return tf.convert_to_tensor(self._fn(convert_to_tensor(x), convert_to_tensor(y)))

    def __eq__(self, other: Any) -> bool:
        return other is self or other is self._python_op

    def __hash__(self) -> int:
        return hash(self._python_op)


greater = _Comparison(tnp.greater, operator.gt)
less = _Comparison(tnp.less, operator.lt)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    fn = getattr(tnp, name, None)
    if callable(fn):
        def op(*args: Any, **kwargs: Any) -> Any:
            args = [convert_to_tensor(a) if isinstance(a, (list, np.ndarray)) else a for a in args]
            return tf.convert_to_tensor(fn(*args, **kwargs))
        op.__name__ = name
        return op
    return Missing(f"keras.src.ops.{name}")
