"""Losses: per-sample functions, and `Loss` objects that weight and reduce them.

Every loss has two forms, as in keras:

* a function ``fn(y_true, y_pred, ...) -> per-sample loss`` (last axis reduced), and
* a `Loss` object, ``loss(y_true, y_pred, sample_weight=None, logits=None)``, which
  multiplies by ``sample_weight`` and reduces: ``"sum_over_batch_size"`` (default)
  ``sum(loss * sample_weight) / number_of_loss_elements`` (not / sum of weights),
  ``"sum"``, or ``"none"``/``None`` (the weighted per-sample tensor).
  ``loss.sum_and_count(...)`` returns the two halves of that division separately, so that
  a distributed engine can divide by a global count.

Numerics follow keras 3 on TensorFlow: float32, epsilon 1e-7, probabilities clipped to
``[eps, 1 - eps]`` before the log, targets of shape ``(n,)`` against predictions
``(n, 1)`` expanded (never broadcast to ``(n, n)``).

The ``logits`` argument: explicit where keras is implicit
----------------------------------------------------------
When a keras model ends in a sigmoid or softmax, keras attaches the pre-activation tensor
to the output (``_keras_logits``) and its TensorFlow backend (``_get_logits``) then
computes binary, categorical and sparse categorical crossentropy from those logits with
the ``from_logits`` formulas -- no clipping, whatever ``from_logits`` says. The two paths
differ a lot once a model saturates (a sigmoid output of exactly 1.0 costs at most
``-log(1e-7) = 16.1`` when clipped, and ``|logit|`` from logits).

minikeras does the same in the open: the engine passes ``logits=`` (the tensor that went
into the final sigmoid/softmax) to the loss. The three crossentropy losses use it (label
smoothing is applied to the targets first, as keras); every other loss ignores it
(``Loss.uses_logits`` says which). Without ``logits`` -- e.g. a loss called on a plain
array -- the clipped probability path is used. Unlike keras, minikeras never inspects the
TensorFlow op that produced ``y_pred`` (inside a ``tf.function`` keras also takes the
logits path when ``y_pred`` is the output of a ``Sigmoid``/``Softmax`` op).

Example:
  >>> import minikeras
  >>> loss = minikeras.losses.BinaryCrossentropy()
  >>> print(loss([[0.0], [1.0]], [[0.2], [0.9]]).numpy().round(4))
  0.1643
  >>> total, count = loss.sum_and_count([[0.0], [1.0]], [[0.2], [0.9]], sample_weight=[1.0, 2.0])
  >>> round(float(total), 4), float(count)   # sum of loss * weight; number of loss elements
  (0.4339, 2.0)
"""
from __future__ import annotations

import inspect
from typing import Any

from minikeras._registry import check_callable, deserialize_registered, lookup, serialize_registered
from minikeras.losses.classification_functions import (
    categorical_hinge,
    hinge,
    kl_divergence,
    poisson,
    squared_hinge,
)
from minikeras.losses.focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
)
from minikeras.losses.functions import (
    FUNCTIONS,
    binary_crossentropy,
    categorical_crossentropy,
    huber,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
)
from minikeras.losses.loss import REDUCTIONS, Loss, LossFunctionWrapper
from minikeras.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    Huber,
    MeanAbsoluteError,
    MeanSquaredError,
    SparseCategoricalCrossentropy,
)
from minikeras.losses.more_losses import (
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    KLDivergence,
    LogCosh,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
)
from minikeras.losses.regression_functions import (
    cosine_similarity,
    log_cosh,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence

# The functions of regression_functions/classification_functions join the registry of
# `functions.FUNCTIONS` (what `get`, `LossFunctionWrapper.get_config` and `check_targets`
# know), with keras's aliases (keras 3 has no "logcosh" or "kullback_leibler_divergence").
FUNCTIONS.update({fn.__name__: fn for fn in (
    mean_absolute_percentage_error, mean_squared_logarithmic_error, log_cosh,
    cosine_similarity, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
    binary_focal_crossentropy, categorical_focal_crossentropy)})
FUNCTIONS.update({"mape": mape, "MAPE": mape, "msle": msle, "MSLE": msle,
                  "kld": kld, "KLD": kld})

CLASSES = {
    cls.__name__: cls
    for cls in (LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, Huber,
                BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                MeanAbsolutePercentageError, MeanSquaredLogarithmicError, LogCosh,
                CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
                BinaryFocalCrossentropy, CategoricalFocalCrossentropy)
}
_NAMES = {**{k: v for k, v in CLASSES.items() if v is not LossFunctionWrapper}, **FUNCTIONS}


def get(identifier: Any) -> Any:
    """Resolves a loss identifier as ``keras.losses.get`` does.

    * a function name (``"mse"``, ``"binary_crossentropy"``, ``"huber"``, ...): that function,
      which returns one value per sample (``get("mse")(y, p)`` is not averaged);
    * a class name (``"MeanSquaredError"``, ``"Huber"``): an instance with defaults;
    * a `Loss` instance or any other callable: itself; a `Loss` subclass: an instance;
    * a dict ``{"class_name": ..., "config": {...}}``: from the registry only;
    * None: None.

    Unknown names raise a ValueError listing the valid ones. ``compile(loss=...)`` resolves
    through `to_loss`, which wraps a function in `LossFunctionWrapper` (a reduced loss).
    """
    if isinstance(identifier, str):
        obj = lookup(identifier, _NAMES, "loss")
        return obj() if inspect.isclass(obj) else obj
    if callable(identifier) and not inspect.isclass(identifier):
        return identifier
    return to_loss(identifier)


def to_loss(identifier: Any) -> Loss | None:
    """Resolves a loss identifier to a `Loss` instance, as keras's ``compile`` does.

    * a name keras accepts (``"mse"``, ``"binary_crossentropy"``, ``"Huber"``, ...): a
      class name gives that class with defaults; a function name gives
      ``LossFunctionWrapper(fn, name=identifier)``;
    * a `Loss` instance: itself; a `Loss` subclass: an instance with defaults;
    * a plain callable ``fn(y_true, y_pred)``: ``LossFunctionWrapper(fn)``;
    * a dict ``{"class_name": ..., "config": {...}}``: from the registry only;
    * None: None (no loss).

    Unknown names raise a ValueError listing the valid ones.

    Example:
      >>> import minikeras
      >>> round(float(minikeras.losses.to_loss("mse")([[0.0], [1.0]], [[0.5], [1.0]])), 4)
      0.125
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = lookup(identifier, _NAMES, "loss")
        return obj() if inspect.isclass(obj) else LossFunctionWrapper(obj, name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    return LossFunctionWrapper(check_callable(identifier, "loss"))


def get_for_compile(identifier: Any, y_true_shape: tuple, y_pred_shape: tuple) -> Loss:
    """Resolves a loss as keras's ``compile(loss=...)`` does (``compile_utils.get_loss``).

    ``"crossentropy"``/``"ce"`` (any case) pick binary if y_pred's last dim is 1, else
    sparse if ``rank(y_true) < rank(y_pred)`` or y_true's last dim is 1, else categorical;
    the loss keeps the name given. Anything else goes through `to_loss`.
    """
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        fn = {"binary": binary_crossentropy, "sparse": sparse_categorical_crossentropy,
              "categorical": categorical_crossentropy}[target_kind(y_true_shape, y_pred_shape)]
        return LossFunctionWrapper(fn, name=identifier)
    return to_loss(identifier)


def target_kind(y_true_shape: tuple, y_pred_shape: tuple) -> str:
    """``"binary"``, ``"sparse"`` or ``"categorical"``, by keras's rule for "accuracy"/"ce"."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    if y_pred_shape[-1] == 1:
        return "binary"
    if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
        return "sparse"
    return "categorical"


def serialize(loss: Loss) -> dict:
    """``{"class_name": ..., "config": ...}`` for a registered loss (see `deserialize`)."""
    return serialize_registered(loss, CLASSES, "loss")


def deserialize(config: dict) -> Loss:
    """Rebuilds a loss from `serialize`'s dict; class names resolve from the registry only."""
    return deserialize_registered(config, CLASSES, "loss")


__all__ = [
    "Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError", "Huber",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "mean_squared_error", "mean_absolute_error", "mse", "mae", "MSE", "MAE", "huber",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "get", "to_loss", "get_for_compile", "serialize", "deserialize", "target_kind", "REDUCTIONS",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCosh", "CosineSimilarity",
    "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence", "Poisson",
    "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "log_cosh",
    "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
    "poisson", "mape", "MAPE", "msle", "MSLE", "kld", "KLD", "BinaryFocalCrossentropy",
    "CategoricalFocalCrossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy",
]
