"""TruePositives, FalsePositives, TrueNegatives, FalseNegatives: weighted confusion counts.

Each metric keeps one float32 ``(T,)`` variable, ``accumulator``, with a count per threshold,
updated by `metrics_utils.update_confusion_matrix_variables` (the code behind `Precision`,
`Recall` and `AUC`). A prediction is positive when ``y_pred > threshold``; labels are cast to
bool; ``w`` is ``sample_weight`` (1 without)::

    tp[t] += sum(w * ( y_true &  (y_pred > t)))      fp[t] += sum(w * (!y_true &  (y_pred > t)))
    tn[t] += sum(w * (!y_true & !(y_pred > t)))      fn[t] += sum(w * ( y_true & !(y_pred > t)))

``result()`` is the count: a scalar for one threshold, a ``(T,)`` vector for several.

Example:
  >>> from minikeras.metrics import FalsePositives
  >>> m = FalsePositives(thresholds=[0.3, 0.7])
  >>> m.update_state([0, 0, 1], [0.5, 0.9, 0.2])
  >>> print(m.result().numpy())
  [2. 1.]
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras._dtype import cast_result
from minikeras.metrics import metrics_utils as mu
from minikeras.metrics.metric import Metric


class _ConfusionCount(Metric):
    """The weighted count of one confusion-matrix cell (``_key``) at each threshold."""

    _key = ""

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
            self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), dtype="float32",
                                             name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Adds this batch's weighted count at every threshold.

        Args:
          y_true: Labels with the shape of ``y_pred``, cast to bool.
          y_pred: Scores, compared strictly with each threshold.
          sample_weight: Optional weights of rank 0 or the rank of y_true, broadcastable to
            it. Default None (every element counts 1).
        """
        mu.update_confusion_matrix_variables(
            {self._key: self.accumulator}, y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight)

    def result(self) -> tf.Tensor:
        """The count: a scalar for one threshold, else one value per threshold (cast to
        ``dtype``)."""
        value = self.accumulator[0] if len(self.thresholds) == 1 else tf.identity(
            self.accumulator)
        return cast_result(value, self.dtype)

    def get_config(self) -> dict:
        """``name``, ``dtype`` and ``thresholds`` as given to the constructor."""
        thresholds = self.init_thresholds  # a plain list, not tf.Module's tracking wrapper
        return {**super().get_config(),
                "thresholds": list(thresholds) if isinstance(thresholds, list) else thresholds}


class TruePositives(_ConfusionCount):
    """The weighted number of true positives: ``sum(w * (y_true & (y_pred > t)))``.

    With ``sample_weight`` the weights of the true positives are summed; a weight of 0 masks.

    Args:
      thresholds: A float or a list of floats in [0, 1]; one result per threshold (a scalar
        for one, a vector for several). Default None: 0.5. Use 0 on logits.
      name: Default ``"true_positives"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import TruePositives
      >>> m = TruePositives()
      >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
      >>> print(m.result().numpy())
      2.0
      >>> m.reset_state()
      >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1], sample_weight=[0, 0, 1, 0])
      >>> print(m.result().numpy())
      1.0
    """

    _key = "tp"


class FalsePositives(_ConfusionCount):
    """The weighted number of false positives: ``sum(w * (!y_true & (y_pred > t)))``.

    With ``sample_weight`` the weights of the false positives are summed; a weight of 0 masks.

    Args:
      thresholds: A float or a list of floats in [0, 1]; one result per threshold (a scalar
        for one, a vector for several). Default None: 0.5. Use 0 on logits.
      name: Default ``"false_positives"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import FalsePositives
      >>> m = FalsePositives()
      >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
      >>> print(m.result().numpy())
      2.0
      >>> m.reset_state()
      >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1], sample_weight=[0, 0, 1, 0])
      >>> print(m.result().numpy())
      1.0
    """

    _key = "fp"


class TrueNegatives(_ConfusionCount):
    """The weighted number of true negatives: ``sum(w * (!y_true & !(y_pred > t)))``.

    With ``sample_weight`` the weights of the true negatives are summed; a weight of 0 masks.

    Args:
      thresholds: A float or a list of floats in [0, 1]; one result per threshold (a scalar
        for one, a vector for several). Default None: 0.5. Use 0 on logits.
      name: Default ``"true_negatives"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import TrueNegatives
      >>> m = TrueNegatives(thresholds=[0.25, 0.75])
      >>> m.update_state([0, 1, 0, 0], [1.0, 1.0, 0.5, 0.0])
      >>> print(m.result().numpy())
      [1. 2.]
    """

    _key = "tn"


class FalseNegatives(_ConfusionCount):
    """The weighted number of false negatives: ``sum(w * (y_true & !(y_pred > t)))``.

    With ``sample_weight`` the weights of the false negatives are summed; a weight of 0 masks.

    Args:
      thresholds: A float or a list of floats in [0, 1]; one result per threshold (a scalar
        for one, a vector for several). Default None: 0.5. Use 0 on logits.
      name: Default ``"false_negatives"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import FalseNegatives
      >>> m = FalseNegatives()
      >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
      >>> print(m.result().numpy())
      2.0
      >>> m.reset_state()
      >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0], sample_weight=[0, 0, 1, 0])
      >>> print(m.result().numpy())
      1.0
    """

    _key = "fn"
