"""Loss functions tracked as metrics: a running weighted mean of the per-sample loss.

Unlike the `Loss` objects, these call the loss *functions* directly, as keras does: no
``(n,)`` -> ``(n, 1)`` expansion for the crossentropies (keras rejects those shapes here).
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.losses import classification_functions as C
from minikeras.losses import functions as F
from minikeras.losses import regression_functions as R
from minikeras.losses.functions import squeeze_or_expand_to_same_rank
from minikeras.metrics.reduction_metrics import MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of ``mean((y_true - y_pred)**2, axis=-1)``."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None):
        super().__init__(F.mean_squared_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of ``mean(|y_true - y_pred|, axis=-1)``."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__(F.mean_absolute_error, name=name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.binary_crossentropy`; takes ``logits=`` too.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / 2``. Default 0.
    """

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0):
        super().__init__(F.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.categorical_crossentropy`; takes ``logits=`` too.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y * (1 - s) + s / num_classes``.
        Default 0.
      axis: The class axis. Default -1.
    """

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, label_smoothing: float = 0, axis: int = -1):
        super().__init__(F.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of `minikeras.losses.sparse_categorical_crossentropy`; takes ``logits=``.

    With ``ignore_class=c``, samples labelled ``c`` have loss 0. keras masks them only when a
    ``sample_weight`` is given (reduction_metrics.reduce_to_samplewise_values): then they weigh
    0 and leave the count; without weights they still count as samples. minikeras does the same.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      ignore_class: Optional integer label to ignore. Default None.
      axis: Must be -1 (the last axis), as keras on TensorFlow.
    """

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False, ignore_class: int | None = None, axis: int = -1):
        F.check_ignore_class(ignore_class)
        super().__init__(F.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                     logits: tf.Tensor | None = None) -> None:
        """As `MeanMetricWrapper.update_state`; ``ignore_class`` samples get weight 0."""
        if self.ignore_class is not None and sample_weight is not None:
            y_true = tf.convert_to_tensor(y_true)
            labels = y_true
            if labels.shape.rank == tf.convert_to_tensor(y_pred).shape.rank:
                labels = tf.squeeze(labels, -1)
            mask = tf.cast(tf.not_equal(tf.cast(labels, tf.float32),
                                        float(self.ignore_class)), tf.float32)
            mask, sample_weight = squeeze_or_expand_to_same_rank(
                mask, tf.cast(sample_weight, tf.float32))
            sample_weight = sample_weight * mask
        super().update_state(y_true, y_pred, sample_weight=sample_weight, logits=logits)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class _LossMetric(MeanMetricWrapper):
    """A running mean of a loss function; config ``{"name", "dtype"}`` (keras's)."""

    fn_default: Any = None
    default_name = ""

    def __init__(self, name: str | None = None, dtype: Any = None):
        super().__init__(type(self).fn_default, name=name or self.default_name, dtype=dtype)

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}


class MeanAbsolutePercentageError(_LossMetric):
    """Running mean of ``100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)``."""

    fn_default = staticmethod(R.mean_absolute_percentage_error)
    default_name = "mean_absolute_percentage_error"


class MeanSquaredLogarithmicError(_LossMetric):
    """Running mean of `minikeras.losses.mean_squared_logarithmic_error`."""

    fn_default = staticmethod(R.mean_squared_logarithmic_error)
    default_name = "mean_squared_logarithmic_error"


class LogCoshError(_LossMetric):
    """Running mean of `minikeras.losses.log_cosh` (keras names it ``"logcosh"``)."""

    fn_default = staticmethod(R.log_cosh)
    default_name = "logcosh"


class Hinge(_LossMetric):
    """Running mean of `minikeras.losses.hinge`."""

    fn_default = staticmethod(C.hinge)
    default_name = "hinge"


class SquaredHinge(_LossMetric):
    """Running mean of `minikeras.losses.squared_hinge`."""

    fn_default = staticmethod(C.squared_hinge)
    default_name = "squared_hinge"


class CategoricalHinge(_LossMetric):
    """Running mean of `minikeras.losses.categorical_hinge`."""

    fn_default = staticmethod(C.categorical_hinge)
    default_name = "categorical_hinge"


class KLDivergence(_LossMetric):
    """Running mean of `minikeras.losses.kl_divergence`."""

    fn_default = staticmethod(C.kl_divergence)
    default_name = "kl_divergence"


class Poisson(_LossMetric):
    """Running mean of `minikeras.losses.poisson`."""

    fn_default = staticmethod(C.poisson)
    default_name = "poisson"
