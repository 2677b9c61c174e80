"""PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity:
the best value of one rate among the thresholds where another rate reaches a target.

Each keeps float32 ``(T,)`` variables ``true_positives``, ``false_positives``,
``true_negatives`` and ``false_negatives`` at ``T = num_thresholds`` thresholds ``[0, 1/(T-1),
..., 1]`` (``[0.5]`` when T is 1), updated by `metrics_utils.update_confusion_matrix_variables`
(as `AUC`). From the counts at each threshold::

    recall = sensitivity = tp / (tp + fn)    precision = tp / (tp + fp)
    specificity = tn / (tn + fp)             (each 0 when undefined)

and ``result() = max(0, max over t with constrained[t] >= target of dependent[t])``: 0 when
no threshold reaches the target.

Example:
  >>> from minikeras.metrics import RecallAtPrecision
  >>> m = RecallAtPrecision(0.8)
  >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
  >>> print(m.result().numpy())
  0.5
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras._dtype import cast_result
from minikeras._validation import is_int, is_real, optional_int
from minikeras.metrics import metrics_utils as mu
from minikeras.metrics.metric import Metric


class _RateAtRate(Metric):
    """The largest ``_dependent`` rate among thresholds where ``_constrained`` >= ``value``.

    Subclasses name the target argument (``_arg``) and the two rates (keys of `_rates`).
    """

    _arg, _constrained, _dependent = "", "", ""
    _direction = "up"  # larger is better (EarlyStopping/ModelCheckpoint with mode="auto")

    def __init__(self, value: Any, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None):
        if not is_real(value):
            raise TypeError(f"Argument `{self._arg}` must be a float in the range [0, 1]. "
                            f"Received: {self._arg}={value!r}")
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self._arg}` must be in the range [0, 1]. "
                             f"Received: {self._arg}={value}")
        if not is_int(num_thresholds):
            raise TypeError("Argument `num_thresholds` must be an integer > 0. "
                            f"Received: num_thresholds={num_thresholds!r}")
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. "
                             f"Received: num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        setattr(self, self._arg, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = optional_int(class_id, "class_id")
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [0.0] + [(i + 1) / (num_thresholds - 1)
                                       for i in range(num_thresholds - 2)] + [1.0]
        self._thresholds_distributed_evenly = num_thresholds > 1
        for variable in ("true_positives", "false_positives", "true_negatives",
                         "false_negatives"):
            setattr(self, variable, self.add_variable((len(self.thresholds),), dtype="float32",
                                                      name=variable))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted tp/fp/tn/fn at every threshold.

        Args:
          y_true: Labels with the shape of ``y_pred``, cast to bool.
          y_pred: Scores in [0, 1], compared strictly with each threshold.
          sample_weight: Optional weights of rank 0 or the rank of y_true, broadcastable to
            it. Default None (every element counts 1).
        """
        mu.update_confusion_matrix_variables(
            {"tp": self.true_positives, "fp": self.false_positives,
             "tn": self.true_negatives, "fn": self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id, sample_weight=sample_weight)

    def _rates(self) -> dict:
        tp, fp = self.true_positives, self.false_positives
        tn, fn = self.true_negatives, self.false_negatives
        recall = tf.math.divide_no_nan(tp, tp + fn)
        return {"recall": recall, "sensitivity": recall,
                "precision": tf.math.divide_no_nan(tp, tp + fp),
                "specificity": tf.math.divide_no_nan(tn, tn + fp)}

    def result(self) -> tf.Tensor:
        """The best dependent rate where the constrained one reaches the target (0 if none),
        cast to ``dtype``."""
        rates = self._rates()
        feasible = rates[self._constrained] >= tf.constant(self.value, tf.float32)
        best = tf.reduce_max(tf.where(feasible, rates[self._dependent], 0.0))
        return cast_result(tf.maximum(best, 0.0), self.dtype)

    def get_config(self) -> dict:
        """``name``, ``dtype``, ``class_id``, ``num_thresholds`` and the target."""
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._arg: self.value}


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity ``tp / (tp + fn)`` among thresholds where the specificity
    ``tn / (tn + fp)`` is at least ``specificity``.

    Args:
      specificity: The target, a float in [0, 1].
      num_thresholds: Integer > 0: thresholds ``i / (num_thresholds - 1)`` (0.5 if 1).
        Default 200.
      class_id: Optional int column of the last axis (y_pred of shape
        ``(batch, num_classes)``); default None (every element counts).
      name: Default ``"sensitivity_at_specificity"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import SensitivityAtSpecificity
      >>> m = SensitivityAtSpecificity(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> print(m.result().numpy())
      0.5
      >>> m.reset_state()
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8],
      ...                sample_weight=[1, 1, 2, 2, 1])
      >>> print(m.result().numpy().round(4))
      0.3333
    """

    _arg, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity ``tn / (tn + fp)`` among thresholds where the sensitivity
    ``tp / (tp + fn)`` is at least ``sensitivity``.

    Args:
      sensitivity: The target, a float in [0, 1].
      num_thresholds: Integer > 0: thresholds ``i / (num_thresholds - 1)`` (0.5 if 1).
        Default 200.
      class_id: Optional int column of the last axis; default None.
      name: Default ``"specificity_at_sensitivity"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import SpecificityAtSensitivity
      >>> m = SpecificityAtSensitivity(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> print(m.result().numpy().round(4))
      0.6667
    """

    _arg, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)


class PrecisionAtRecall(_RateAtRate):
    """The best precision ``tp / (tp + fp)`` among thresholds where the recall
    ``tp / (tp + fn)`` is at least ``recall``.

    Args:
      recall: The target, a float in [0, 1].
      num_thresholds: Integer > 0: thresholds ``i / (num_thresholds - 1)`` (0.5 if 1).
        Default 200.
      class_id: Optional int column of the last axis; default None.
      name: Default ``"precision_at_recall"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import PrecisionAtRecall
      >>> m = PrecisionAtRecall(0.5)
      >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
      >>> print(m.result().numpy())
      0.5
    """

    _arg, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(self, recall: float, num_thresholds: int = 200, class_id: int | None = None,
                 name: str | None = None, dtype: Any = None):
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)


class RecallAtPrecision(_RateAtRate):
    """The best recall ``tp / (tp + fn)`` among thresholds where the precision
    ``tp / (tp + fp)`` is at least ``precision`` (0 if no threshold reaches it).

    Args:
      precision: The target, a float in [0, 1].
      num_thresholds: Integer > 0: thresholds ``i / (num_thresholds - 1)`` (0.5 if 1).
        Default 200.
      class_id: Optional int column of the last axis; default None.
      name: Default ``"recall_at_precision"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import RecallAtPrecision
      >>> m = RecallAtPrecision(0.8)
      >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], sample_weight=[1, 0, 0, 1])
      >>> print(m.result().numpy())
      1.0
    """

    _arg, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(self, precision: float, num_thresholds: int = 200,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None):
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id,
                         name=name, dtype=dtype)
