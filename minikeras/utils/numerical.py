"""`to_categorical` and `normalize`, as `keras.utils` (NumPy in, NumPy out; tensors give tensors).

Example:
  >>> to_categorical([0, 2, 1])
  array([[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]])
  >>> normalize(np.array([[3.0, 4.0]]))          # [[0.6, 0.8]]
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation

EPSILON = 1e-7  # keras.backend.epsilon()


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """One-hot encodes integer class labels; the class axis is added last.

    ``out[..., k] = 1.0 if x[...] == k else 0.0``, float64 for array-like input (as keras).
    A trailing axis of size 1 is dropped first (``(n, 1)`` gives ``(n, num_classes)``).
    A `tf.Tensor` gives a float32 tensor (``tf.one_hot``, as keras's backend path).

    Args:
      x: Labels, integers in ``[0, num_classes)`` (floats with whole values are accepted).
      num_classes: Number of classes. Default None: ``max(x) + 1``.

    Raises:
      ValueError: A label is negative, not a whole number, or ``>= num_classes`` (keras
        would raise an IndexError, or silently wrap a negative label).
    """
    if num_classes is not None:
        num_classes = _validation.positive_int(num_classes, "num_classes")
    if isinstance(x, (tf.Tensor, tf.Variable)):
        if x.shape.rank and x.shape.rank > 1 and x.shape[-1] == 1:
            x = tf.squeeze(x, -1)
        if num_classes is None:
            num_classes = int(tf.reduce_max(x)) + 1
        return tf.one_hot(tf.cast(x, tf.int64), num_classes)
    values = np.asarray(x)
    if values.dtype.kind not in "biuf":
        raise ValueError(f"Expected `x` to hold integer class labels. Received an array of "
                         f"dtype {values.dtype}.")
    if values.dtype.kind == "f" and not np.all(np.isfinite(values) & (values == np.floor(values))):
        raise ValueError("Expected `x` to hold integer class labels. Received non-integer "
                         f"values, e.g. {values[values != np.floor(values)].flat[0]!r}.")
    labels = values.astype("int64")
    shape = labels.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = tuple(shape[:-1])
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(labels)) + 1 if labels.size else 0
    bad = (labels < 0) | (labels >= num_classes)
    if bad.any():
        raise ValueError(f"Expected class labels in [0, {num_classes}). Received: "
                         f"{labels[bad][0]} (num_classes={num_classes}).")
    categorical = np.zeros((labels.shape[0], num_classes))
    categorical[np.arange(labels.shape[0]), labels] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int | None = -1, order: int = 2) -> Any:
    """Divides ``x`` by its ``order``-norm along ``axis``.

    NumPy input (keras's NumPy path): ``x / expand_dims(norm, axis)`` with
    ``norm = np.linalg.norm(x, order, axis)`` and zero norms replaced by 1.
    Anything else (keras's tensor path, `ops.normalize`): ``x * min(rsqrt(sum(x**2)), 1/eps)``
    for ``order=2``, else ``x / max(norm, eps)``, with eps = 1e-7; returns a tensor.

    Args:
      x: Array to normalize.
      axis: Axis along which to normalize. Default -1.
      order: Norm order, an int >= 1. Default 2.
    """
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        # keras writes `axis or -1`, which turns axis=0 into -1 and fails; minikeras keeps 0.
        return x / np.expand_dims(norm, -1 if axis is None else axis)
    if not _validation.is_int(order) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, tf.float32)
    if x.shape.rank == 0:
        x = tf.expand_dims(x, 0)
    if order == 2:
        inv_norm = tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
        return x * tf.minimum(inv_norm, tf.cast(1.0 / EPSILON, x.dtype))
    norm = tf.norm(x, ord=order, axis=axis, keepdims=True)
    return x / tf.maximum(norm, tf.cast(EPSILON, x.dtype))
