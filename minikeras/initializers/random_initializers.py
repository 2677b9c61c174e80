"""Initializers that draw from a fixed distribution: normal, uniform, truncated normal, orthogonal.

All draws use TensorFlow's stateless ops with the initializer's seed, exactly as keras's
TensorFlow backend does, so the same seed gives keras's tensor bit for bit.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.initializers.base import RandomInitializer, standardize_dtype, standardize_shape


def _check_stddev(stddev: float) -> None:
    if float(stddev) < 0:
        raise ValueError(
            f"Expected `stddev` to be a non-negative float. Received: stddev={stddev!r}"
        )


class _NormalDraw(RandomInitializer):
    """Shared by the normal initializers: ``mean``, ``stddev`` and a stateless sampler."""

    _sample = staticmethod(tf.random.stateless_normal)

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: Any = None):
        _check_stddev(stddev)
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return self._sample(
            standardize_shape(shape), seed=self.stateless_seed(), mean=self.mean,
            stddev=self.stddev, dtype=standardize_dtype(dtype, floating=True),
        )

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomNormal(_NormalDraw):
    """Draws from a normal distribution N(mean, stddev**2).

    Args:
      mean: Mean of the values. Default 0.0.
      stddev: Standard deviation of the values. Default 0.05.
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import RandomNormal
      >>> RandomNormal(stddev=1.0, seed=1)((2, 2)).shape
      TensorShape([2, 2])
    """


class TruncatedNormal(_NormalDraw):
    """Draws from N(mean, stddev**2) cut at two standard deviations (outliers are redrawn).

    The values lie in [mean - 2 stddev, mean + 2 stddev]; their standard deviation is about
    0.88 * stddev.

    Args:
      mean: Mean of the untruncated distribution. Default 0.0.
      stddev: Standard deviation of the untruncated distribution. Default 0.05.
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import TruncatedNormal
      >>> TruncatedNormal(seed=1)((3,)).shape
      TensorShape([3])
    """

    _sample = staticmethod(tf.random.stateless_truncated_normal)


class RandomUniform(RandomInitializer):
    """Draws uniformly from [minval, maxval).

    Args:
      minval: Lower bound (inclusive). Default -0.05.
      maxval: Upper bound (exclusive). Default 0.05.
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> from minikeras.initializers import RandomUniform
      >>> RandomUniform(0.0, 1.0, seed=1)((2,)).shape
      TensorShape([2])
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: Any = None):
        if float(minval) > float(maxval):
            raise ValueError(
                "Expected `minval` <= `maxval`. "
                f"Received: minval={minval!r}, maxval={maxval!r}"
            )
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        return uniform(shape, self.minval, self.maxval, self.stateless_seed(), dtype)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def uniform(shape, minval, maxval, seed, dtype) -> tf.Tensor:
    """Stateless uniform draw with the bounds cast to `dtype` first, as keras does."""
    dtype = standardize_dtype(dtype, floating=True)
    return tf.random.stateless_uniform(
        standardize_shape(shape), seed=seed, minval=tf.cast(minval, dtype),
        maxval=tf.cast(maxval, dtype), dtype=dtype,
    )


class Orthogonal(RandomInitializer):
    """A random orthogonal matrix (times `gain`), from the QR decomposition of a normal draw.

    The shape is flattened to `(prod(shape[:-1]), shape[-1])`. A matrix `a` of shape
    `(max(rows, cols), min(rows, cols))` is drawn from N(0, 1); `q, r = qr(a)`;
    `q *= sign(diag(r))` makes the result uniformly distributed; q is transposed when
    rows < cols, so the output has orthonormal rows or columns, whichever are fewer.

    Args:
      gain: Multiplier of the orthogonal matrix. Default 1.0.
      seed: An integer, or None (default) to draw one from Python's `random` now.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.initializers import Orthogonal
      >>> q = Orthogonal(seed=1)((3, 3)); bool(tf.reduce_all(abs(tf.transpose(q) @ q - tf.eye(3)) < 1e-5))
      True
    """

    def __init__(self, gain: float = 1.0, seed: Any = None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "Orthogonal initializer needs a shape of rank 2 or more. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows = 1
        for dim in shape[:-1]:
            rows *= dim
        cols = shape[-1]
        a = tf.random.stateless_normal(
            (max(rows, cols), min(rows, cols)), seed=self.stateless_seed(),
            mean=0.0, stddev=1.0, dtype=standardize_dtype(dtype, floating=True),
        )
        q, r = tf.linalg.qr(a)
        q = q * tf.sign(tf.linalg.diag_part(r))
        if rows < cols:
            q = tf.transpose(q)
        return self.gain * tf.reshape(q, shape)

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}
