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
      >>> from minikeras.initializers import Zeros
      >>> Zeros()((2,)).numpy()
      array([0., 0.], dtype=float32)
    """

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return tf.zeros(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """Fills the tensor with 1.

    Example:
      >>> from minikeras.initializers import Ones
      >>> Ones()((2,)).numpy()
      array([1., 1.], dtype=float32)
    """

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return tf.ones(standardize_shape(shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """Fills the tensor with a value, cast to the requested dtype.

    The value is a scalar, or (as keras) an array that broadcasts to the requested shape.

    Args:
      value: A Python or NumPy scalar, or a numeric array (or nested list). Default 0.0.

    Example:
      >>> from minikeras.initializers import Constant
      >>> Constant(3.0)((2,)).numpy()
      array([3., 3.], dtype=float32)
    """

    def __init__(self, value: Any = 0.0):
        array = np.asarray(value)
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise ValueError(
                f"Expected `value` to be a numeric scalar or array. Received: value={value!r}"
            )
        self.value = array.item() if array.ndim == 0 else array

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        dtype = standardize_dtype(dtype)
        shape = standardize_shape(shape)
        if isinstance(self.value, np.ndarray):
            try:
                np.broadcast_shapes(self.value.shape, tuple(shape))
            except ValueError:
                raise ValueError(
                    f"Expected a shape that the value of shape {self.value.shape} broadcasts "
                    f"to. Received: shape={tuple(shape)}") from None
            return tf.broadcast_to(tf.cast(self.value, dtype), shape)
        return tf.fill(shape, tf.cast(self.value, dtype))

    def get_config(self) -> dict:
        """``{"value": ...}``; an array value is saved as a nested list."""
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"value": value}


class Identity(Initializer):
    """`gain` times the identity matrix (2-D shapes only; rectangular allowed).

    Args:
      gain: Multiplier of the identity. Default 1.0.

    Example:
      >>> from minikeras.initializers import Identity
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
