"""Metrics: running, weighted means of per-sample values, matching keras 3 numerically.

A `Metric` is a `tf.Module` whose float32 state variables (``ON_READ``, ``SUM``) are made
in ``__init__``; ``update_state`` is pure TensorFlow, so it runs inside `tf.function` and
under `tf.distribute`. Every metric here is a `Mean` of a per-sample function:
``total += sum(values * w)``, ``count += sum(w)`` (or the number of samples).

The crossentropy metrics take ``update_state(..., logits=z)`` like the losses (keras
uses the logits of a final sigmoid/softmax for them too; see `minikeras.losses`);
``metric.accepts_logits`` says which do.

`get_for_compile` resolves ``"accuracy"``/``"acc"`` from the shapes of the targets and
outputs, as keras's ``compile(metrics=[...])``.

Example:
  >>> from minikeras.metrics import get_for_compile
  >>> m = get_for_compile("acc", y_true_shape=(32,), y_pred_shape=(32, 1))  # BinaryAccuracy
  >>> m.update_state([1.0, 0.0], [[0.9], [0.7]])
  >>> float(m.result()), m.name
  (0.5, 'acc')
"""
from __future__ import annotations

import inspect
from typing import Any

from minikeras._registry import check_callable, deserialize_registered, lookup, serialize_registered
from minikeras.losses import functions as _loss_functions
from minikeras.losses import target_kind
from minikeras.losses.loss import to_snake_case
from minikeras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from minikeras.metrics.confusion_counts import (
    FalseNegatives,
    FalsePositives,
    TrueNegatives,
    TruePositives,
)
from minikeras.metrics.confusion_metrics import AUC, Precision, Recall
from minikeras.metrics.f_score_metrics import F1Score, FBetaScore
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
from minikeras.metrics.metric import Metric
from minikeras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from minikeras.metrics.regression_metrics import CosineSimilarity, R2Score, RootMeanSquaredError
from minikeras.metrics.threshold_metrics import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)

CLASSES = {
    cls.__name__: cls
    for cls in (Mean, MeanMetricWrapper, MeanSquaredError, MeanAbsoluteError,
                BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
                RootMeanSquaredError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
                LogCoshError, CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge,
                KLDivergence, Poisson, FBetaScore, F1Score, Sum, R2Score, TruePositives,
                FalsePositives, TrueNegatives, FalseNegatives, PrecisionAtRecall,
                RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity)
}
# Names `get` accepts: keras's `metrics.ALL_OBJECTS_DICT` (class names, their snake_case,
# and a few abbreviations). "acc" is not one of them: only `get_for_compile` knows it.
_NAMES = {name: cls for name, cls in CLASSES.items() if cls is not MeanMetricWrapper}
_NAMES.update({to_snake_case(name): cls for name, cls in _NAMES.items()})
_NAMES.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
               "mse": MeanSquaredError, "MSE": MeanSquaredError,
               "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
               "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
               "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})

# Per-sample functions a serialized `MeanMetricWrapper` may name.
FUNCTIONS = {
    fn.__name__: fn
    for fn in (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
               top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)
}
FUNCTIONS.update({fn.__name__: fn for fn in set(_loss_functions.FUNCTIONS.values())})


def get(identifier: Any) -> Metric | None:
    """Resolves a metric identifier to a `Metric` instance, as ``keras.metrics.get``.

    * a name (``"accuracy"``, ``"mse"``, ``"binary_accuracy"``, ``"BinaryAccuracy"``...):
      that class with its default name (``get("mse").name == "mean_squared_error"``);
    * a `Metric` instance: itself; a `Metric` subclass: an instance with defaults;
    * a callable ``fn(y_true, y_pred)``: ``MeanMetricWrapper(fn)`` named after ``fn``;
    * a dict ``{"class_name": ..., "config": {...}}``: from the registry only;
    * None: None.

    Unknown names raise a ValueError listing the valid ones.
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup(identifier, _NAMES, "metric")()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    return MeanMetricWrapper(check_callable(identifier, "metric"))


def get_for_compile(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Metric:
    """Resolves a metric as keras's ``compile(metrics=[...])`` (``compile_utils.get_metric``).

    ``"accuracy"``/``"acc"`` (any case) become `BinaryAccuracy` if y_pred's last dim is 1,
    else `SparseCategoricalAccuracy` if ``rank(y_true) < rank(y_pred)`` or y_true's last
    dim is 1, else `CategoricalAccuracy`. A string identifier also names the metric
    (``"acc"`` stays ``"acc"``, ``"mse"`` is named ``"mse"``). Anything else goes through
    `get`. (keras resolves ``"crossentropy"``/``"ce"`` only for losses:
    `minikeras.losses.get_for_compile`.)
    """
    if identifier is None:
        raise ValueError("Expected a metric, received `None`.")
    if str(identifier).lower() in ("accuracy", "acc"):
        cls = {"binary": BinaryAccuracy, "sparse": SparseCategoricalAccuracy,
               "categorical": CategoricalAccuracy}[target_kind(y_true_shape, y_pred_shape)]
        metric = cls(name=str(identifier))
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    _check_scalar_result(metric)
    return metric


def _check_scalar_result(metric: Metric) -> None:
    """fit's and evaluate's logs hold one number per metric; refuses, before training, the
    built-in metrics whose result is a vector (keras logs the vector)."""
    per = None
    if isinstance(metric, FBetaScore) and metric.average is None:
        per = "class (average=None); pass average='micro', 'macro' or 'weighted'"
    elif isinstance(metric, R2Score) and metric.class_aggregation is None:
        per = ("output column (class_aggregation=None); pass class_aggregation="
               "'uniform_average' or 'variance_weighted_average'")
    elif isinstance(metric, (Precision, Recall, TruePositives, FalsePositives, TrueNegatives,
                             FalseNegatives)) and len(metric.thresholds) > 1:
        per = "threshold; pass one threshold"
    if per is not None:
        raise ValueError(
            f"minikeras's fit and evaluate log one number per metric, but "
            f"{type(metric).__name__} '{metric.name}' returns one value per {per}, or compute "
            "it outside fit with metric.update_state(y, model.predict(x)); metric.result().")


def serialize(metric: Metric) -> dict:
    """``{"class_name": ..., "config": ...}`` for a registered metric (see `deserialize`)."""
    return serialize_registered(metric, CLASSES, "metric")


def deserialize(config: dict) -> Metric:
    """Rebuilds a metric from `serialize`'s dict; class names resolve from the registry only."""
    return deserialize_registered(config, CLASSES, "metric")


__all__ = [
    "Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
    "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "get", "get_for_compile", "serialize", "deserialize",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "Precision", "Recall", "AUC", "RootMeanSquaredError",
    "FBetaScore", "F1Score",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCoshError",
    "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
    "Sum", "R2Score", "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "PrecisionAtRecall", "RecallAtPrecision", "SensitivityAtSpecificity",
    "SpecificityAtSensitivity",
]
