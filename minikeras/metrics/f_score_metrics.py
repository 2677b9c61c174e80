"""FBetaScore and F1Score: the F-score of thresholded predictions, per class or averaged.

::

    y_pred -> 1 where y_pred > threshold (threshold None: where it is the row's maximum, non-0)
    precision = tp / (tp + fp + eps)           recall = tp / (tp + fn + eps)
    f = (1 + beta²) * precision * recall / (beta² * precision + recall + eps)

per class (``average=None``), over all entries (``"micro"``), their mean (``"macro"``) or
their mean weighted by each class's count of positives (``"weighted"``). The counts are
float variables of shape ``(classes,)`` (``()`` for "micro"), made at the first update from
y_pred's last dimension, as keras.

Example:
  >>> m = F1Score(threshold=0.5)
  >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
  ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
  >>> m.result()   # [0.5, 0.8, 0.6666667]
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.losses.functions import EPSILON
from minikeras.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score (see the module doc), keras's ``FBetaScore``.

    Args:
      average: None (default: one score per class), "micro", "macro" or "weighted".
      beta: A positive Python float: recall counts beta times as much as precision.
        Default 1.0.
      threshold: A Python float in (0, 1], or None (default: each row's maximum is the
        positive class).
      name: Default "fbeta_score".
      dtype: Of the result. Default float32.
    """

    _direction = "up"

    def __init__(self, average: str | None = None, beta: float = 1.0,
                 threshold: float | None = None, name: str = "fbeta_score", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: "
                             "{None, 'micro', 'macro', 'weighted'}. "
                             f"Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError("Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: Any, y_pred_shape: Any) -> None:
        """Makes the count variables for y_pred's number of classes (keras's checks)."""
        y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
        shapes = f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim)."
                             f" Received input shapes: {shapes}")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, output_dim),"
                             " with output_dim fully defined (not None). Received input "
                             f"shapes: {shapes}")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        with tf.init_scope():  # eagerly, also when first updated inside a compiled step
            for name in ("true_positives", "false_positives", "false_negatives",
                         "intermediate_weights"):
                setattr(self, name, self.add_variable(shape, dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted tp, fp, fn and positives per class.

        Args:
          y_true: 0/1 labels of shape (batch, classes).
          y_pred: Scores of the same shape.
          sample_weight: Optional per-row weights, shape (batch,).
        """
        y_true = tf.cast(tf.convert_to_tensor(y_true), self.dtype)
        y_pred = tf.cast(tf.convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            # keras: the maximum counts only when it is not zero ([0, 0, 0] stays all 0)
            y_pred = tf.logical_and(y_pred >= top, tf.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = tf.cast(y_pred, self.dtype)
        if sample_weight is not None:
            sample_weight = tf.cast(tf.convert_to_tensor(sample_weight), self.dtype)

        def weighted_sum(value: tf.Tensor) -> tf.Tensor:
            if sample_weight is not None:
                value = value * tf.expand_dims(sample_weight, 1)
            return tf.reduce_sum(value, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> tf.Tensor:
        """The score per class (``average=None``) or averaged; 0 before any update."""
        if not self._built:
            return tf.constant(0.0, self.dtype)
        tp = tf.convert_to_tensor(self.true_positives)
        precision = tp / (tp + self.false_positives + EPSILON)
        recall = tp / (tp + self.false_negatives + EPSILON)
        beta2 = self.beta ** 2
        score = precision * recall / (beta2 * precision + recall + EPSILON) * (1 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (
                tf.reduce_sum(self.intermediate_weights) + EPSILON)
            return tf.reduce_sum(score * weights)
        if self.average is not None:  # micro, macro
            return tf.reduce_mean(score)
        return score

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(tf.zeros(variable.shape, variable.dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F1 score ``2 * precision * recall / (precision + recall)``: `FBetaScore` with
    ``beta=1.0`` (see the module doc). Args: average, threshold, name="f1_score", dtype."""

    def __init__(self, average: str | None = None, threshold: float | None = None,
                 name: str = "f1_score", dtype: Any = None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
