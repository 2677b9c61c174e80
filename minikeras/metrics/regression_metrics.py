"""RootMeanSquaredError and CosineSimilarity: regression metrics that are not loss means.

Example:
  >>> m = RootMeanSquaredError(); m.update_state([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])
  >>> m.result()   # sqrt(mean([0.5, 0.])) = 0.5
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras._dtype import cast_result
from minikeras.losses.functions import _as_float, squeeze_or_expand_to_same_rank
from minikeras.losses.regression_functions import l2_normalize
from minikeras.metrics.reduction_metrics import Mean, MeanMetricWrapper


class RootMeanSquaredError(Mean):
    """``sqrt(total / count)`` of the weighted running mean of ``(y_pred - y_true)**2``.

    Squared errors of a sample are averaged over its elements first (as `Mean` does), then
    weighted by ``sample_weight``; the root is taken of the running mean, not per batch.

    Args:
      name: Default ``"root_mean_squared_error"``.
      dtype: See `Metric`.
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's squared errors (weighted) to the running mean."""
        y_true = tf.cast(y_true, tf.float32)
        y_pred = tf.cast(y_pred, tf.float32)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(tf.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> tf.Tensor:
        """The root of the running mean of squared errors, cast to ``dtype``."""
        return cast_result(tf.sqrt(tf.math.divide_no_nan(self.total, self.count)), self.dtype)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> tf.Tensor:
    """``sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: 1 for the same direction.

    (The loss `minikeras.losses.cosine_similarity` is its negative.)
    """
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return tf.reduce_sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity of y_true and y_pred along ``axis``.

    Args:
      name: Default ``"cosine_similarity"``.
      dtype: See `Metric`.
      axis: The axis along which the similarity is computed. Default -1.
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
