"""`Loss`: weights and reduces a per-sample loss; `LossFunctionWrapper` and the named losses."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.losses import functions as F

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def to_snake_case(name: str) -> str:
    """``"MeanSquaredError"`` -> ``"mean_squared_error"`` (keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-sample losses; this class weights
    and reduces them.

    ``sum_and_count`` returns ``(sum(loss * sample_weight), number of loss elements)``
    whatever the reduction; the reduction only decides what ``__call__`` returns:
    ``"sum_over_batch_size"`` sum / count (0 when count is 0), ``"sum"`` the sum,
    ``"none"``/``None`` the weighted per-sample tensor. y_true, y_pred, logits and
    sample_weight are cast to float32 first.

    Args:
      name: Defaults to the snake_case class name.
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"none"`` or None.

    Example:
      >>> class Squared(Loss):
      ...     def call(self, y_true, y_pred):
      ...         return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
      >>> Squared()([[1.0], [2.0]], [[0.0], [0.0]])   # 2.5
    """

    uses_logits = False  # True when `call` accepts `logits=` (the three crossentropies).

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size"):
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = _check_reduction(reduction)

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        """Returns the per-sample loss (float32 ``y_true`` and ``y_pred``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _weighted_losses(self, y_true, y_pred, sample_weight, logits):
        y_pred = tf.cast(y_pred, tf.float32)
        y_true = tf.cast(y_true, tf.float32)
        if logits is not None and self.uses_logits:
            values = self.call(y_true, y_pred, logits=tf.cast(logits, tf.float32))
        else:
            values = self.call(y_true, y_pred)
        values = tf.cast(values, tf.float32)
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, tf.float32)
            values, sample_weight = F.squeeze_or_expand_to_same_rank(values, sample_weight)
            values = values * sample_weight
        return values

    def sum_and_count(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                      logits: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """Returns ``(sum(loss * sample_weight), number of loss elements)``, float32 scalars.

        ``__call__`` with ``"sum_over_batch_size"`` is ``sum / count``; under a distribution
        strategy the engine divides the summed sums by the all-reduced count instead.
        Arguments as for ``__call__``.
        """
        values = self._weighted_losses(y_true, y_pred, sample_weight, logits)
        return tf.reduce_sum(values), tf.cast(tf.size(values), tf.float32)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                 logits: tf.Tensor | None = None) -> tf.Tensor:
        """Weighted, reduced loss (a float32 scalar unless the reduction is ``"none"``).

        Args:
          y_true: Targets.
          y_pred: Predictions.
          sample_weight: Optional weights of shape ``(n,)`` or ``(n, 1)`` (or broadcastable).
            Default None (every sample weighs 1).
          logits: Optional pre-activation of ``y_pred`` when it came from a final sigmoid or
            softmax; used by the crossentropies instead of ``y_pred`` (see `minikeras.losses`).
        """
        values = self._weighted_losses(y_true, y_pred, sample_weight, logits)
        if self.reduction in (None, "none"):
            return values
        total = tf.reduce_sum(values)
        if self.reduction == "sum":
            return total
        return tf.math.divide_no_nan(total, tf.cast(tf.size(values), tf.float32))

    def check_targets(self, y_true: np.ndarray, y_pred_shape: tuple) -> None:
        """Validates targets on the host before training. The default accepts anything."""

    def get_config(self) -> dict:
        """The constructor arguments, for `from_config` and saving."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """Rebuilds a loss from the output of `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A `Loss` around a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Before calling ``fn`` the ranks of y_true and y_pred are reconciled
    (``(n,)`` vs ``(n, 1)`` -> both ``(n, 1)``), as keras does.

    Args:
      fn: The per-sample function.
      reduction: See `Loss`.
      name: Defaults to the snake_case name of ``fn``.
      **kwargs: Passed on to ``fn``.
    """

    def __init__(self, fn: Callable, reduction: str | None = "sum_over_batch_size",
                 name: str | None = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be callable. Received: fn={fn!r}")
        super().__init__(
            name=name or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
            reduction=reduction,
        )
        self.fn = fn
        self._fn_kwargs = kwargs

    @property
    def uses_logits(self) -> bool:
        """Whether ``fn`` takes ``logits=`` (the three built-in crossentropies)."""
        return self.fn in F.LOGITS_FUNCTIONS

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor,
             logits: tf.Tensor | None = None) -> tf.Tensor:
        """Reconciles the ranks of y_true and y_pred, then returns ``fn(y_true, y_pred)``."""
        reshaped_true, reshaped_pred = F.squeeze_or_expand_to_same_rank(y_true, y_pred)
        kwargs = dict(self._fn_kwargs)
        # keras's logits ride on the y_pred tensor, so they are lost when y_pred itself must
        # be reshaped ((n,) against (n, 1) targets, or (n, k, 1) against (n, k)): keras then
        # takes the clipped path, and so does minikeras.
        if logits is not None and reshaped_pred is y_pred:
            kwargs["logits"] = logits
        return self.fn(reshaped_true, reshaped_pred, **kwargs)

    def check_targets(self, y_true: np.ndarray, y_pred_shape: tuple) -> None:
        """Checks targets against the model's output shape on the host, before training.

        Sparse crossentropy: integer labels in range (see `check_sparse_targets`). The other
        built-in functions: after keras's rank reconciliation, crossentropies need the output's
        shape and the rest a shape that broadcasts against it. A custom ``fn`` accepts anything.
        """
        if self.fn is F.sparse_categorical_crossentropy:
            check_sparse_targets(y_true, y_pred_shape)
        elif self.fn in F.FUNCTIONS.values():
            strict = self.fn in (F.binary_crossentropy, F.categorical_crossentropy)
            check_target_shape(np.shape(y_true), tuple(y_pred_shape), self.name, strict)

    def get_config(self) -> dict:
        """``fn``'s registered name and kwargs; raises ValueError for a custom ``fn``."""
        name = getattr(self.fn, "__name__", None)
        if F.FUNCTIONS.get(name) is not self.fn:
            raise ValueError(
                f"Cannot serialize a LossFunctionWrapper around {self.fn!r}: only the "
                f"built-in loss functions can be serialized ({', '.join(sorted(F.FUNCTIONS))})."
            )
        return {**super().get_config(), "fn": name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> LossFunctionWrapper:
        if cls is not LossFunctionWrapper:  # the named losses rebuild from their arguments
            return cls(**config)
        config = dict(config)
        fn_name = config.pop("fn")
        if fn_name not in F.FUNCTIONS:
            raise ValueError(
                f"Unknown loss function {fn_name!r}. Valid names are: "
                f"{', '.join(sorted(F.FUNCTIONS))}."
            )
        return cls(F.FUNCTIONS[fn_name], **config)

    def __repr__(self) -> str:
        if type(self) is not LossFunctionWrapper:
            return super().__repr__()
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


def _same_rank(a: tuple, b: tuple) -> tuple[tuple, tuple]:
    """`functions.squeeze_or_expand_to_same_rank` on shapes."""
    if len(a) == len(b) + 1 and a[-1] == 1:
        return (a, b + (1,)) if len(b) == 1 else (a[:-1], b)
    if len(b) == len(a) + 1 and b[-1] == 1:
        return (a + (1,), b) if len(a) == 1 else (a, b[:-1])
    return a, b


def check_target_shape(y_shape: tuple, y_pred_shape: tuple, loss_name: str,
                       strict: bool) -> None:
    """Raises ValueError unless targets of ``y_shape`` fit outputs of ``y_pred_shape``.

    Ranks are reconciled as keras does; then every axis after the batch must be equal
    (``strict``, as keras's crossentropies require) or broadcast (one side 1).
    """
    y, p = _same_rank(tuple(y_shape), tuple(y_pred_shape))
    fits = len(y) == len(p) and all(
        a is None or b is None or a == b or (not strict and 1 in (a, b))
        for a, b in zip(y[1:], p[1:]))
    if not fits:
        need = "the same shape as" if strict else "a shape that broadcasts against"
        raise ValueError(
            f"The {loss_name} loss needs targets with {need} the model's output "
            f"{(None,) + tuple(y_pred_shape[1:])}. Received y of shape {tuple(y_shape)}.")


def check_sparse_targets(y_true: Any, y_pred_shape: tuple) -> None:
    """Raises ValueError unless every label is an integer in ``[0, y_pred_shape[-1])``."""
    y = np.asarray(y_true)
    num_classes = y_pred_shape[-1] if len(y_pred_shape) else None
    inner = tuple(y_pred_shape[1:-1])
    if not (y.shape[1:] == inner or y.shape[1:] == inner + (1,)) and all(
            d is not None for d in inner):
        raise ValueError(
            f"Sparse categorical targets are class indices of shape {(None,) + inner} (or with "
            f"a trailing 1) for outputs of shape {(None,) + tuple(y_pred_shape[1:])}. Received y "
            f"of shape {y.shape}; one-hot targets need categorical_crossentropy.")
    valid = f"[0, {num_classes})" if num_classes is not None else "[0, num_classes)"
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"Sparse categorical targets must be integer class indices in {valid}. "
            f"Received targets of dtype {y.dtype}."
        )
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Sparse categorical targets must be integer class indices in {valid}. "
                f"Received a non-integer label value of {y[bad][0].item()!r}."
            )
    if num_classes is not None:
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            raise ValueError(
                f"Received a label value of {y[bad][0].item()!r} which is outside the valid range "
                f"of {valid} (num_classes = y_pred.shape[-1] = {num_classes})."
            )


class MeanSquaredError(LossFunctionWrapper):
    """``mean((y_true - y_pred)**2)`` per sample, then reduced. See `Loss`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_squared_error"):
        super().__init__(F.mean_squared_error, reduction=reduction, name=name)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean(|y_true - y_pred|)`` per sample, then reduced. See `Loss`."""

    def __init__(self, reduction: str | None = "sum_over_batch_size",
                 name: str = "mean_absolute_error"):
        super().__init__(F.mean_absolute_error, reduction=reduction, name=name)

    def get_config(self) -> dict:
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for ``|error| <= delta``, linear beyond. See `functions.huber`.

    Args:
      delta: Where the loss turns linear. Default 1.0.
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = "sum_over_batch_size",
                 name: str = "huber_loss"):
        super().__init__(F.huber, reduction=reduction, name=name, delta=delta)
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
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "binary_crossentropy"):
        super().__init__(F.binary_crossentropy, reduction=reduction, name=name,
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
                 reduction: str | None = "sum_over_batch_size",
                 name: str = "categorical_crossentropy"):
        super().__init__(F.categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical crossentropy with integer targets ``(n,)`` or ``(n, 1)``.

    ``check_targets`` rejects non-integer labels and labels outside ``[0, num_classes)``.

    Args:
      from_logits: Whether y_pred holds logits. Default False.
      ignore_class: Not supported; must be None.
      axis: Must be -1 (the last axis), as keras on TensorFlow.
    """

    def __init__(self, from_logits: bool = False, ignore_class: int | None = None,
                 reduction: str | None = "sum_over_batch_size", axis: int = -1,
                 name: str = "sparse_categorical_crossentropy"):
        if ignore_class is not None:
            raise NotImplementedError(
                f"minikeras does not support `ignore_class`. Received: ignore_class={ignore_class}"
            )
        super().__init__(F.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=from_logits, axis=axis)
        self.from_logits = from_logits

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits}
