"""MonitorCallback: the shared base of callbacks that watch one logged quantity.

EarlyStopping, ReduceLROnPlateau and ModelCheckpoint compare each epoch's value of ``monitor``
with the best seen so far. ``mode="auto"`` decides the direction as keras 3 does: a name that
is ``loss`` after removing a ``val_`` prefix is minimized; otherwise the compiled metric of that
name says (accuracies, precision, recall, AUC, F-scores and cosine similarity are maximized;
errors, hinges and crossentropies minimized); anything else is an error asking for
``mode="min"`` or ``"max"``.
"""
from __future__ import annotations

import operator
import warnings
from typing import Any

from minikeras.callbacks.callback import Callback
from minikeras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
)
from minikeras.metrics.confusion_metrics import AUC, Precision, Recall
from minikeras.metrics.loss_metrics import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from minikeras.metrics.regression_metrics import CosineSimilarity, RootMeanSquaredError

# keras's metric directions (each keras metric class sets ``_direction``); a metric object
# with its own ``direction`` or ``_direction`` attribute (FBetaScore, custom ones) says itself.
_UP = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
       TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
       CosineSimilarity)
_DOWN = (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
         SparseCategoricalCrossentropy, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
         LogCoshError, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
         RootMeanSquaredError)


def compiled_metrics(model: Any) -> list:
    """The model's compiled metric objects (empty before the first fit/evaluate builds them)."""
    metrics = getattr(model, "metrics", None)
    if isinstance(metrics, (list, tuple)) and all(hasattr(m, "name") for m in metrics):
        return list(metrics)
    steps = getattr(model, "_steps", None)  # the trainer's (log name, metric, weighted) triples
    return [metric for _, metric, _ in getattr(steps, "metrics", [])]


def metric_direction(metric: Any) -> str | None:
    """``"up"``, ``"down"`` or None (unknown) for a metric object."""
    declared = getattr(metric, "direction", None) or getattr(metric, "_direction", None)
    if declared in ("up", "down"):
        return declared
    if isinstance(metric, _UP):
        return "up"
    if isinstance(metric, _DOWN):
        return "down"
    return None


class MonitorCallback(Callback):
    """Base class: holds ``monitor``, ``mode`` and ``min_delta`` and says what improves.

    ``_is_improvement(value, best)`` is ``value - min_delta > best`` when maximizing and
    ``value + min_delta < best`` when minimizing (any value improves on ``best=None``).

    Args:
      monitor: Name of the logged quantity. Default "val_loss".
      mode: "auto", "min" or "max". An unknown mode warns and falls back to "auto" (as keras).
      baseline: Initial best value, or None.
      min_delta: Smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", baseline: float | None = None,
                 min_delta: float = 0):
        super().__init__()
        if not isinstance(monitor, str):
            raise TypeError(f"Expected `monitor` to be a string such as 'val_loss'. "
                            f"Received: monitor={monitor!r}")
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{type(self).__name__} mode '{mode}' is unknown, fallback to auto "
                          "mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self) -> None:
        """Resolves the comparison once, when the model's metrics exist (first epoch end)."""
        if self.mode == "min":
            self.monitor_op = operator.lt
        elif self.mode == "max":
            self.monitor_op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            direction = "down" if name == "loss" else None
            for metric in compiled_metrics(self.model):
                if metric.name == name:
                    direction = metric_direction(metric) or direction
            if direction is None:
                raise ValueError(
                    f"{type(self).__name__} callback received monitor={self.monitor}, but "
                    "minikeras can't tell whether that metric should be maximized or "
                    "minimized. Pass mode='max' to monitor the highest value, or mode='min' "
                    "for the lowest.")
            self.monitor_op = operator.gt if direction == "up" else operator.lt
        if self.monitor_op is operator.lt:
            self.min_delta = -abs(self.min_delta)

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))


def learning_rate_value(optimizer: Any) -> float:
    """The optimizer's current learning rate as a Python float."""
    value = optimizer.learning_rate
    return float(value.numpy() if hasattr(value, "numpy") else value)


def check_settable_learning_rate(callback: Callback) -> None:
    """Raises a clear TypeError now if the callback could not set the learning rate later.

    An optimizer built with a `LearningRateSchedule` (or without a learning rate) refuses
    ``optimizer.learning_rate = value``; finding out at the first reduction would crash
    training midway. The probe assigns the current value back, which changes nothing.
    """
    name = type(callback).__name__
    optimizer = getattr(callback.model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(f"{name} needs a compiled model whose optimizer has a `learning_rate`. "
                         f"Received optimizer={optimizer!r}")
    try:
        optimizer.learning_rate = learning_rate_value(optimizer)
    except TypeError as error:
        raise TypeError(
            f"{name} sets the optimizer's learning rate every epoch, but this optimizer's "
            f"learning rate can't be set ({error}). This happens when the optimizer was built "
            "with a LearningRateSchedule: use the schedule alone, or give the optimizer a float "
            f"learning rate to use {name}.") from error
