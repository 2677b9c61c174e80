"""Precision, Recall and AUC: metrics computed from confusion counts at thresholds.

State is float32 ``(T,)`` variables of weighted counts (see `metrics_utils`), so the metrics
accumulate over batches and sum across replicas under `tf.distribute`::

    precision = tp / (tp + fp)        recall = tp / (tp + fn)        (0 when undefined)

Example:
  >>> m = Precision(); m.update_state([0, 1, 1, 1], [1, 0, 1, 1]); m.result()   # 0.6667
  >>> m = AUC(num_thresholds=3); m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
  >>> m.result()   # 0.75
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._dtype import cast_result
from minikeras._validation import boolean, optional_int, positive_int
from minikeras.losses.functions import EPSILON
from minikeras.metrics import metrics_utils as mu
from minikeras.metrics.auc_result import auc_result
from minikeras.metrics.metric import Metric


class _ThresholdRatio(Metric):
    """``tp / (tp + other)`` at each threshold, where ``other`` is fp or fn."""

    _other, _key = "", ""

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = None if top_k is None else positive_int(top_k, "top_k")
        self.class_id = optional_int(class_id, "class_id")
        self.thresholds = mu.parse_init_thresholds(
            thresholds, default_threshold=0.5 if top_k is None else mu.NEG_INF)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
            self.thresholds)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, dtype="float32", name="true_positives")
        setattr(self, self._other, self.add_variable(shape, dtype="float32", name=self._other))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted true positives and false positives/negatives.

        Args:
          y_true: Labels with the shape of ``y_pred``, cast to bool.
          y_pred: Scores in [0, 1] (compared strictly with each threshold).
          sample_weight: Optional weights of rank 0 or the rank of y_true, broadcastable.
        """
        mu.update_confusion_matrix_variables(
            {"tp": self.true_positives, self._key: getattr(self, self._other)},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self) -> tf.Tensor:
        """One value per threshold (a scalar for one threshold), cast to ``dtype``."""
        tp = self.true_positives
        value = tf.math.divide_no_nan(tp, tp + getattr(self, self._other))
        return cast_result(value[0] if len(self.thresholds) == 1 else value, self.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ThresholdRatio):
    """Precision ``tp / (tp + fp)``: how many predicted positives are positive.

    A prediction is positive when ``y_pred > threshold``. With ``top_k`` only the k largest
    scores of each row can be positive; with ``class_id`` only that column counts.

    Args:
      thresholds: A float or list of floats in [0, 1] (one result each). Default 0.5 (or
        none with ``top_k``: then any top-k score is positive). Use 0 on logits.
      top_k: Optional positive int.
      class_id: Optional int column of the last axis.
      name: Default ``"precision"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import Precision
      >>> print(Precision(top_k=2)([0, 0, 1, 1], [1, 1, 1, 1]).numpy().round(4))   # 0.0 (the first two count)
      0.0
    """

    _other, _key = "false_positives", "fp"


class Recall(_ThresholdRatio):
    """Recall ``tp / (tp + fn)``: how many positives are predicted positive.

    Arguments as `Precision` (name defaults to ``"recall"``).

    Example:
      >>> from minikeras.metrics import Recall
      >>> print(Recall()([0, 1, 1, 1], [1, 0, 1, 1]).numpy().round(4))
      0.6667
    """

    _other, _key = "false_negatives", "fn"


class AUC(Metric):
    """Area under the ROC (default) or precision-recall curve, as a Riemann sum over
    ``num_thresholds`` thresholds (keras's approximation, number for number).

    Thresholds are ``[-eps, 1/(T-1), ..., (T-2)/(T-1), 1 + eps]`` (or ``[-eps, *thresholds,
    1 + eps]``). ROC: x = false positive rate, y = recall; PR: x = recall, y = precision.
    The sum is ``sum((x[i] - x[i+1]) * h[i])`` with ``h`` the mid-point ("interpolation"),
    min ("minoring") or max ("majoring") of ``y[i], y[i+1]``; PR with "interpolation" uses
    Davis & Goadrich's interpolation of tp and fp instead (see `auc_result`).

    Args:
      num_thresholds: Integer > 1. Default 200.
      curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
      summation_method: ``"interpolation"`` (default), ``"minoring"`` or ``"majoring"``.
      name: Default ``"auc"``.
      dtype: See `Metric`.
      thresholds: Optional list of floats in [0, 1]; overrides ``num_thresholds``.
      multi_label: Whether each column of y is a separate label whose AUCs are averaged
        (False: every element is one data point). Default False.
      num_labels: With ``multi_label``, the number of labels (else found on the first
        update).
      label_weights: Optional per-label weights (averaging weights with ``multi_label``).
      from_logits: Whether y_pred holds logits (a sigmoid is applied first). Default False.

    Example:
      >>> from minikeras.metrics import AUC
      >>> m = AUC(num_thresholds=3)
      >>> print(m([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]).numpy().round(4))
      0.75
    """

    def __init__(self, num_thresholds: int = 200, curve: Any = "ROC",
                 summation_method: Any = "interpolation", name: str | None = None,
                 dtype: Any = None, thresholds: Any = None, multi_label: bool = False,
                 num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False):
        super().__init__(name=name, dtype=dtype)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            thresholds = sorted(mu.parse_init_thresholds(thresholds))
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) or \
                    num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + thresholds + [1.0 + EPSILON])
        self.curve = curve if isinstance(curve, mu.AUCCurve) else mu.AUCCurve.from_str(curve)
        self.summation_method = summation_method if isinstance(
            summation_method, mu.AUCSummationMethod) else \
            mu.AUCSummationMethod.from_str(summation_method)
        self.multi_label = boolean(multi_label, "multi_label")
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else \
            tf.constant(label_weights, tf.float32)
        self._from_logits = boolean(from_logits, "from_logits")
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build([None, positive_int(num_labels, "num_labels")])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        """The thresholds used, endpoints ``-eps`` and ``1 + eps`` included."""
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                    f"{len(shape)}. Full shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        with tf.init_scope():  # also when first called inside a tf.function
            for name in ("true_positives", "false_positives", "true_negatives",
                         "false_negatives"):
                setattr(self, name, self.add_variable(variable_shape, dtype="float32",
                                                      name=name))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted tp/fp/tn/fn at every threshold.

        Args:
          y_true: Labels, cast to bool.
          y_pred: Scores in [0, 1] (or logits).
          sample_weight: Optional weights of rank 0 or the rank of y_true, broadcastable.
        """
        y_pred = tf.convert_to_tensor(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = tf.sigmoid(tf.cast(y_pred, tf.float32))
        mu.update_confusion_matrix_variables(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def result(self) -> tf.Tensor:
        """The area (averaged over labels with ``multi_label``), cast to ``dtype``."""
        if not self._built:
            return cast_result(tf.constant(0.0), self.dtype)
        value = auc_result(self.true_positives, self.false_positives, self.true_negatives,
                           self.false_negatives, self.curve, self.summation_method,
                           self.multi_label, self.label_weights)
        return cast_result(value, self.dtype)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        label_weights = self.label_weights
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve.value, "summation_method": self.summation_method.value,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if label_weights is None
                  else label_weights.numpy().tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return config
