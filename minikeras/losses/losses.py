"""The named losses keras users reach for first: squared/absolute error, Huber, crossentropies.

Each is a `LossFunctionWrapper` around the function of the same name in `functions`, with
keras's constructor signature (``reduction``, ``name``, ``dtype`` last) and ``get_config``.

Example:
  >>> SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)(
  ...     [[-1, 2]], [[[0.854, 0.698, 0.598], [0.088, 0.86, 0.018]]])   # 1.480129 / 1
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.losses import functions as F
from minikeras.losses.loss import Loss, LossFunctionWrapper

_SUM = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y_true - y_pred)**2)`` per sample, then reduced. See `Loss`."""

    def __init__(self, reduction: str | None = _SUM, name: str = "mean_squared_error",
                 dtype: Any = None):
        super().__init__(F.mean_squared_error, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y_true - y_pred|)`` per sample, then reduced. See `Loss`."""

    def __init__(self, reduction: str | None = _SUM, name: str = "mean_absolute_error",
                 dtype: Any = None):
        super().__init__(F.mean_absolute_error, reduction=reduction, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond. See `functions.huber`.

    Args:
      delta: Where the loss turns linear. Default 1.0.
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = _SUM,
                 name: str = "huber_loss", dtype: Any = None):
        super().__init__(F.huber, reduction=reduction, name=name, dtype=dtype, delta=delta)
        self.delta = delta

    def get_config(self) -> dict:
        # keras 3.15 drops `delta` here (losses.py, Huber.get_config); minikeras keeps it.
        return {**Loss.get_config(self), "delta": self.delta}


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary crossentropy. See `functions.binary_crossentropy` and `minikeras.losses`.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / 2``. Default 0.
      axis: Axis averaged over. Default -1.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _SUM, name: str = "binary_crossentropy",
                 dtype: Any = None):
        super().__init__(F.binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy with one-hot targets. See `functions.categorical_crossentropy`.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / num_classes``.
      axis: The class axis. Default -1.
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _SUM, name: str = "categorical_crossentropy",
                 dtype: Any = None):
        super().__init__(F.categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy with integer targets ``(n,)`` or ``(n, 1)``.

    ``check_targets`` rejects non-integer labels and labels outside ``[0, num_classes)``.

    With ``ignore_class=c``, elements whose label is ``c`` have loss 0 and do not count:
    ``"sum_over_batch_size"`` divides by the number of the other elements (keras masks them).

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      ignore_class: Optional integer label to ignore (e.g. -1 for padding). Default None.
      axis: Must be -1 (the last axis), as keras on TensorFlow.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = _SUM, axis: int = -1,
                 name: str = "sparse_categorical_crossentropy", dtype: Any = None):
        F.check_ignore_class(ignore_class)
        super().__init__(F.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class = from_logits, ignore_class

    def loss_mask(self, y_true: tf.Tensor, values: tf.Tensor) -> tf.Tensor | None:
        """Elements whose label is not ``ignore_class`` (None without one)."""
        if self.ignore_class is None:
            return None
        if y_true.shape.rank == values.shape.rank + 1 and y_true.shape[-1] == 1:
            y_true = tf.squeeze(y_true, -1)
        return tf.reshape(tf.not_equal(y_true, tf.cast(self.ignore_class, y_true.dtype)),
                          tf.shape(values))

    def check_targets(self, y_true: Any, y_pred_shape: tuple) -> None:
        """As `LossFunctionWrapper.check_targets`, with ``ignore_class`` labels allowed."""
        if self.ignore_class is not None:
            y_true = np.where(np.asarray(y_true) == self.ignore_class, 0, y_true)
        super().check_targets(y_true, y_pred_shape)

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}
