"""RootMeanSquaredError, CosineSimilarity and R2Score: regression metrics that are not loss
means.

Example:
  >>> m = RootMeanSquaredError(); m.update_state([[0., 1.], [0., 0.]], [[1., 1.], [0., 0.]])
  >>> m.result()   # sqrt(mean([0.5, 0.])) = 0.5
"""
from __future__ import annotations

import warnings
from typing import Any

import tensorflow as tf

from minikeras._dtype import cast_result
from minikeras._validation import is_real
from minikeras.losses.functions import _as_float, squeeze_or_expand_to_same_rank
from minikeras.losses.regression_functions import l2_normalize
from minikeras.metrics.metric import Metric
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


_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination R2 of each output column, accumulated over batches.

    Per column (last axis), with weights ``w`` (``sample_weight``, 1 without)::

        sum = sum(w * y)        squared_sum = sum(w * y**2)        count = sum(w)
        residual = sum(w * (y - y_pred)**2)
        R2 = 1 - residual / (squared_sum - sum**2 / count)        (an infinite R2 becomes 0)

    The columns' scores are averaged (``"uniform_average"``), averaged weighted by their total
    ``squared_sum - sum**2 / count`` (``"variance_weighted_average"``), or returned as a
    vector (None). With ``num_regressors = p > 0`` the adjusted score is
    ``1 - (1 - R2) * (n - 1) / (n - p - 1)``, ``n`` the number of elements seen (with a
    warning and the plain R2 when ``p >= n - 1``).

    Inputs must be 2-D, ``(batch, output_dim)``; the state variables are made on the first
    update (``output_dim`` of them each).

    Args:
      class_aggregation: None, ``"uniform_average"`` (default) or
        ``"variance_weighted_average"``.
      num_regressors: The number of independent regressors, >= 0 ("adjusted R2"). Default 0
        (the plain R2).
      name: Default ``"r2_score"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import R2Score
      >>> m = R2Score()
      >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [4.0], [4.0]])
      >>> print(m.result().numpy().round(4))
      0.5714
    """

    _direction = "up"  # larger is better (EarlyStopping/ModelCheckpoint with mode="auto")

    def __init__(self, class_aggregation: str | None = "uniform_average",
                 num_regressors: int = 0, name: str = "r2_score", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{_CLASS_AGGREGATIONS}. Received: "
                             f"class_aggregation={class_aggregation!r}")
        if not is_real(num_regressors):
            raise TypeError("Invalid value for argument `num_regressors`. Expected a number "
                            f">= 0. Received: num_regressors={num_regressors!r}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), dtype="float32", name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tf.TensorShape, y_pred_shape: tf.TensorShape) -> None:
        if y_pred_shape.rank != 2 or y_true_shape.rank != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim), "
                             "with output_dim fully defined (not None). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = (y_pred_shape[-1],)
        with tf.init_scope():  # also when first called inside a tf.function
            self.squared_sum = self.add_variable(shape, dtype="float32", name="squared_sum")
            self.sum = self.add_variable(shape, dtype="float32", name="sum")
            self.total_mse = self.add_variable(shape, dtype="float32", name="residual")
            self.count = self.add_variable(shape, dtype="float32", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted sums per column (and its element count).

        Args:
          y_true: Targets, ``(batch, output_dim)``.
          y_pred: Predictions of the same shape.
          sample_weight: Optional weights: a scalar, one per sample ``(batch,)``, or
            broadcastable to y_true. Default None (1).
        """
        y_true = tf.cast(y_true, tf.float32)
        y_pred = tf.cast(y_pred, tf.float32)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        weight = tf.constant(1.0) if sample_weight is None else \
            tf.cast(sample_weight, tf.float32)
        if weight.shape.rank == 1:
            weight = weight[:, None]
        weight = tf.broadcast_to(weight, tf.shape(y_true))
        weighted_y_true = y_true * weight
        self.sum.assign_add(tf.reduce_sum(weighted_y_true, axis=0))
        self.squared_sum.assign_add(tf.reduce_sum(y_true * weighted_y_true, axis=0))
        self.total_mse.assign_add(tf.reduce_sum(tf.square(y_true - y_pred) * weight, axis=0))
        self.count.assign_add(tf.reduce_sum(weight, axis=0))
        self.num_samples.assign_add(tf.cast(tf.size(y_true), tf.float32))

    def result(self) -> tf.Tensor:
        """The aggregated (adjusted) R2, cast to ``dtype``; 0 before any update."""
        if not self._built:
            return cast_result(tf.constant(0.0), self.dtype)
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw_scores = 1 - self.total_mse / total
        raw_scores = tf.where(tf.math.is_inf(raw_scores), 0.0, raw_scores)
        if self.class_aggregation == "uniform_average":
            score = tf.reduce_mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = tf.reduce_sum(total * raw_scores) / tf.reduce_sum(total)
        else:
            score = raw_scores
        if self.num_regressors != 0:
            n = tf.convert_to_tensor(self.num_samples)
            p = tf.constant(float(self.num_regressors))
            if tf.executing_eagerly() and float(p) >= float(n) - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. "
                    "Falling back to standard R2 score." if float(p) > float(n) - 1 else
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 "
                    "score.", stacklevel=2)
            adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
            score = tf.where(p < n - 1.0, adjusted, score)
        return cast_result(score, self.dtype)

    def get_config(self) -> dict:
        """``name``, ``dtype``, ``class_aggregation`` and ``num_regressors``."""
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
