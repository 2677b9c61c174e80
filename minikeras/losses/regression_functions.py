"""Per-sample regression losses beyond MSE/MAE: percentage, log, log-cosh and cosine errors.

Each reduces the last axis and follows keras 3 on TensorFlow (float32, epsilon 1e-7,
``(n,)`` targets against ``(n, 1)`` predictions expanded first).

Example:
  >>> mean_absolute_percentage_error([[1.0, 2.0]], [[1.5, 1.0]])   # [50.]
"""
from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from minikeras._reduce import reduce_mean
from minikeras.losses.functions import (
    EPSILON,
    _as_float,
    _check_broadcastable,
    squeeze_or_expand_to_same_rank,
)


def _prepare(y_true: Any, y_pred: Any) -> tuple[tf.Tensor, tf.Tensor]:
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(y_true, y_pred)
    return y_true, y_pred


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)`` (eps = 1e-7).

    Example:
      >>> from minikeras.losses import mean_absolute_percentage_error
      >>> print(mean_absolute_percentage_error([[1.0, 2.0]], [[1.5, 1.0]]).numpy().round(4))
      [50.]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    diff = tf.abs((y_true - y_pred) / tf.maximum(tf.abs(y_true), epsilon))
    return 100.0 * reduce_mean(diff, -1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))**2, axis=-1)``.

    Example:
      >>> from minikeras.losses import mean_squared_logarithmic_error
      >>> print(mean_squared_logarithmic_error([[0.0, 1.0]], [[1.0, 1.0]]).numpy().round(4))
      [0.2402]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    first_log = tf.math.log(tf.maximum(y_pred, epsilon) + 1.0)
    second_log = tf.math.log(tf.maximum(y_true, epsilon) + 1.0)
    return reduce_mean(tf.square(first_log - second_log), -1)


def log_cosh(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed stably as keras does:
    ``log(cosh(x)) = x + softplus(-2x) - log(2)``.

    Roughly ``x**2 / 2`` for small errors and ``|x| - log(2)`` for large ones.

    Example:
      >>> from minikeras.losses import log_cosh
      >>> print(log_cosh([[0.0, 1.0]], [[1.0, 1.0]]).numpy().round(4))
      [0.2169]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    log2 = tf.constant(math.log(2.0), y_pred.dtype)
    x = y_pred - y_true
    return reduce_mean(x + tf.math.softplus(x * -2.0) - log2, -1)


def l2_normalize(x: tf.Tensor, axis: int = -1) -> tf.Tensor:
    """``x * min(rsqrt(sum(x**2, axis)), 1 / eps)``: keras's ``ops.normalize`` (order 2)."""
    inv_norm = tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
    return x * tf.minimum(inv_norm, tf.constant(1.0 / EPSILON, x.dtype))


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> tf.Tensor:
    """Negative cosine similarity: ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``.

    -1 means the same direction, 0 orthogonal, 1 opposite; a zero vector gives 0.
    Usable as a loss to minimize (it is keras's sign convention).

    Args:
      axis: The axis along which the similarity is computed. Default -1.

    Example:
      >>> from minikeras.losses import cosine_similarity
      >>> print(cosine_similarity([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]).numpy().round(4))
      [-0. -1.]
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return -tf.reduce_sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)
