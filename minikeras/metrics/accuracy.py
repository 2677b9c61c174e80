"""Accuracy functions (per-sample 0/1 as float32) and their running-mean metrics, top-k included."""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._validation import boolean, positive_int
from minikeras.losses.functions import squeeze_or_expand_to_same_rank
from minikeras.metrics.reduction_metrics import MeanMetricWrapper


def _argmax(x, axis=-1):
    """``tf.argmax`` as int32, with -0.0 ranked below +0.0 (keras's flush-to-zero fix)."""
    x = tf.convert_to_tensor(x)
    if x.dtype.is_floating and x.shape.rank:
        x = tf.cast(x, tf.float64 if x.dtype == tf.float64 else tf.float32)
        sign = tf.bitcast(tf.cast(x, tf.float32), tf.int32) < 0
        x = tf.where((x == 0) & sign, tf.constant(-np.finfo(x.dtype.as_numpy_dtype).tiny, x.dtype), x)
    return tf.argmax(x, axis=axis, output_type=tf.int32)


def accuracy(y_true: Any, y_pred: Any) -> tf.Tensor:
    """1.0 where ``y_true == y_pred`` exactly, else 0.0 (y_true cast to y_pred's dtype)."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tf.cast(tf.equal(y_true, y_pred), tf.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> tf.Tensor:
    """1.0 where ``y_true == (y_pred > threshold)`` (strict), else 0.0.

    Args:
      threshold: Predictions strictly above it count as 1. Default 0.5.

    Example:
      >>> from minikeras.metrics import binary_accuracy
      >>> print(binary_accuracy([[1], [0], [1]], [[0.6], [0.5], [0.5]]).numpy().round(4))
      [[1.]
       [1.]
       [0.]]
    """
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    # keras compares in the promoted dtype of y_pred and a float32 threshold.
    dtype = tf.float64 if y_pred.dtype == tf.float64 else tf.float32
    threshold = tf.cast(tf.constant(threshold, tf.float32), dtype)
    y_pred = tf.cast(tf.greater(tf.cast(y_pred, dtype), threshold), y_true.dtype)
    return tf.cast(tf.equal(y_true, y_pred), tf.float32)


def categorical_accuracy(y_true: Any, y_pred: Any) -> tf.Tensor:
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` over the last axis (one-hot targets)."""
    y_true = _argmax(y_true, -1)
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    true_shape = tf.shape(y_true)
    reshape = y_true.shape.rank == y_pred.shape.rank
    if reshape:
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(_argmax(y_pred, -1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), tf.float32)
    return tf.reshape(matches, true_shape) if reshape else matches


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> tf.Tensor:
    """1.0 where ``y_true == argmax(y_pred)`` (integer targets ``(n,)`` or ``(n, 1)``)."""
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    true_shape = tf.shape(y_true)
    reshape = y_true.shape.rank == y_pred.shape.rank and y_true.shape[-1] == 1
    if reshape:
        y_true = tf.squeeze(y_true, -1)
    y_pred = tf.cast(_argmax(y_pred, -1), y_true.dtype)
    matches = tf.cast(tf.equal(y_true, y_pred), tf.float32)
    if reshape:
        matches = tf.reshape(matches, true_shape)
    if matches.shape.rank > 1 and matches.shape[-1] == 1:
        matches = tf.squeeze(matches, -1)
    return matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (a running weighted mean)."""

    def __init__(self, name: str = "accuracy", dtype: Any = None):
        super().__init__(accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels.

    Args:
      threshold: Strict threshold. Default 0.5 (so 0.5 itself counts as class 0).
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches one-hot labels."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


def _flatten_for_top_k(y_true: tf.Tensor, y_pred: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, bool]:
    """Predictions as ``(samples, classes)`` and targets as ``(samples,)``, as keras."""
    if y_pred.shape.rank > 2:
        y_pred = tf.reshape(y_pred, [-1, y_pred.shape[-1]])
    reshape = y_true.shape.rank > 1
    if reshape:
        y_true = tf.reshape(y_true, [-1])
    return y_true, y_pred, reshape


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> tf.Tensor:
    """1.0 where ``argmax(y_true)`` (one-hot targets) is among the k highest predictions.

    Ties at the k-th score count as in the top k (``tf.math.in_top_k``, as keras).

    Args:
      k: How many of the highest predictions to look at. Default 5.

    Example:
      >>> from minikeras.metrics import top_k_categorical_accuracy
      >>> print(top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]],
      ...                                  [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1).numpy())
      [0. 1.]
    """
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.argmax(tf.cast(y_true, y_pred.dtype), axis=-1)
    true_shape = tf.shape(y_true)
    y_true, y_pred, reshape = _flatten_for_top_k(y_true, y_pred)
    matches = tf.cast(tf.math.in_top_k(tf.cast(y_true, tf.int32), y_pred, k=k), tf.float32)
    return tf.reshape(matches, true_shape) if reshape else matches


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5,
                                      from_sorted_ids: bool = False) -> tf.Tensor:
    """1.0 where the integer target is among the k highest predictions.

    Args:
      k: How many of the highest predictions to look at. Default 5.
      from_sorted_ids: Whether ``y_pred`` already holds class ids sorted by decreasing
        score (then the first k are compared). Default False.

    Example:
      >>> from minikeras.metrics import sparse_top_k_categorical_accuracy
      >>> print(sparse_top_k_categorical_accuracy([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]],
      ...                                         k=1).numpy())
      [0. 1.]
    """
    y_pred = tf.convert_to_tensor(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    y_true = tf.cast(y_true, y_pred.dtype if from_sorted_ids else tf.int32)
    true_shape = tf.shape(y_true)
    y_true, y_pred, reshape = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        matches = tf.reduce_any(tf.equal(y_true[:, None], y_pred[:, :k]), axis=1)
    else:
        matches = tf.math.in_top_k(y_true, y_pred, k=k)
    matches = tf.cast(matches, tf.float32)
    return tf.reshape(matches, true_shape) if reshape else matches


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is among the k highest predictions (running mean).

    Args:
      k: Default 5.
      name: Default ``"top_k_categorical_accuracy"``.
      dtype: See `Metric`.
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        k = positive_int(k, "k")
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is among the k highest predictions (running mean).

    Args:
      k: Default 5.
      name: Default ``"sparse_top_k_categorical_accuracy"``.
      dtype: See `Metric`.
      from_sorted_ids: See `sparse_top_k_categorical_accuracy`.
    """

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy",
                 dtype: Any = None, from_sorted_ids: bool = False):
        k = positive_int(k, "k")
        from_sorted_ids = boolean(from_sorted_ids, "from_sorted_ids")
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
