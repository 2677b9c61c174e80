"""Per-sample hinge losses (for -1/1 labels) and the probabilistic KL divergence and Poisson.

Each reduces the last axis and follows keras 3 on TensorFlow (float32, epsilon 1e-7).

Example:
  >>> hinge([[0.0, 1.0]], [[0.3, 0.6]])   # labels 0/1 become -1/1: [0.85]
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras._reduce import reduce_mean
from minikeras.losses.functions import EPSILON, _as_float


def _cast_pair(y_true: Any, y_pred: Any) -> tuple[tf.Tensor, tf.Tensor]:
    y_pred = _as_float(y_pred)
    return tf.cast(y_true, y_pred.dtype), y_pred


def convert_binary_labels_to_hinge(y_true: tf.Tensor) -> tf.Tensor:
    """``2 * y_true - 1`` when every label is 0 or 1 (the whole batch), else ``y_true``."""
    is_binary = tf.reduce_all(tf.logical_or(tf.equal(y_true, 0), tf.equal(y_true, 1)))
    return tf.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``mean(max(1 - y_true * y_pred, 0), axis=-1)``; labels are -1/1 (0/1 are converted).

    Example:
      >>> from minikeras.losses import hinge
      >>> print(hinge([[-1.0, 1.0]], [[0.3, 0.6]]).numpy().round(4))
      [0.85]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return reduce_mean(tf.maximum(1.0 - y_true * y_pred, 0.0), -1)


def squared_hinge(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``mean(max(1 - y_true * y_pred, 0)**2, axis=-1)``; labels are -1/1 (0/1 converted).

    Example:
      >>> from minikeras.losses import squared_hinge
      >>> print(squared_hinge([[-1.0, 1.0]], [[0.3, 0.6]]).numpy().round(4))
      [0.925]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    y_true = convert_binary_labels_to_hinge(y_true)
    return reduce_mean(tf.square(tf.maximum(1.0 - y_true * y_pred, 0.0)), -1)


def categorical_hinge(y_true: Any, y_pred: Any) -> tf.Tensor:
    """``max(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred, -1)`` and
    ``neg = max((1 - y_true) * y_pred, -1)`` (one-hot targets).

    Example:
      >>> from minikeras.losses import categorical_hinge
      >>> print(categorical_hinge([[0.0, 1.0]], [[0.3, 0.6]]).numpy().round(4))
      [0.7]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    pos = tf.reduce_sum(y_true * y_pred, axis=-1)
    neg = tf.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return tf.maximum(neg - pos + 1.0, tf.zeros((), y_pred.dtype))


def kl_divergence(y_true: Any, y_pred: Any) -> tf.Tensor:
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred), axis=-1)``, both
    clipped to ``[eps, 1]`` first.

    Example:
      >>> from minikeras.losses import kl_divergence
      >>> print(kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]).numpy().round(4))
      [0.1438]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    y_true = tf.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = tf.clip_by_value(y_pred, EPSILON, 1.0)
    return tf.reduce_sum(y_true * tf.math.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> tf.Tensor:
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + eps), axis=-1)``.

    Example:
      >>> from minikeras.losses import poisson
      >>> print(poisson([[1.0, 0.0]], [[1.0, 1.0]]).numpy().round(4))
      [1.]
    """
    y_true, y_pred = _cast_pair(y_true, y_pred)
    epsilon = tf.constant(EPSILON, y_pred.dtype)
    return reduce_mean(y_pred - y_true * tf.math.log(y_pred + epsilon), -1)
