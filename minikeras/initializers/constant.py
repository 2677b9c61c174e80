"""Deterministic initializers: Zeros, Ones, Constant and Identity."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.initializers.base import Initializer, standardize_dtype, standardize_shape


class Zeros(Initializer):
    """Fills the tensor with 0.

    Example:
      >>> Zeros()((2,)).numpy()
      array([0., 0.], dtype=float32)
    """

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return tf.zeros(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """Fills the tensor with 1.

    Example:
      >>> Ones()((2,)).numpy()
      array([1., 1.], dtype=float32)
    """

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return tf.ones(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """Fills the tensor with one scalar value, cast to the requested dtype.

    Args:
      value: A Python or NumPy scalar. Default 0.0.

    Example:
      >>> Constant(3.0)((2,)).numpy()
      array([3., 3.], dtype=float32)
    """

    def __init__(self, value: float = 0.0):
        array = np.asarray(value)
        if array.ndim != 0 or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(
                f"Expected `value` to be a numeric scalar. Received: value={value!r}"
            )
        self.value = array.item()

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        dtype = standardize_dtype(dtype)
        return tf.fill(standardize_shape(shape), tf.cast(self.value, dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only; rectangular allowed).

    Args:
      gain: Multiplier of the identity. Default 1.0.

    Example:
      >>> Identity(2.0)((2, 2)).numpy()
      array([[2., 0.],
             [0., 2.]], dtype=float32)
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        shape = standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity initializer can only be used for 2-D shapes. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        return self.gain * tf.eye(shape[0], shape[1], dtype=standardize_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}
