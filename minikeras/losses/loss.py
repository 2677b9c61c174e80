"""`Loss`: weights and reduces a per-sample loss; `LossFunctionWrapper` around a function."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._dtype import cast_result, float_dtype
from minikeras.losses import functions as F
from minikeras.losses.targets import check_sparse_targets, check_target_shape

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


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

    ``sum_and_count`` returns ``(sum(loss * sample_weight), count)``, where count is the
    number of loss elements (the sum of the weights for ``"mean_with_sample_weight"`` with
    weights; the number of unmasked elements when the loss masks some, e.g.
    ``ignore_class``). The reduction decides what ``__call__`` returns:
    ``"sum_over_batch_size"`` and ``"mean"`` sum / count (0 when count is 0),
    ``"mean_with_sample_weight"`` sum / sum(sample_weight), ``"sum"`` the sum,
    ``"none"``/``None`` the weighted per-sample tensor. y_true, y_pred, logits and
    sample_weight are cast to float32 first.

    Args:
      name: Defaults to the snake_case class name.
      reduction: ``"sum_over_batch_size"`` (default), ``"sum"``, ``"mean"``,
        ``"mean_with_sample_weight"``, ``"none"`` or None (keras's values).
      dtype: As keras: None (float32), a floating dtype name, a ``tf.DType`` or a
        ``DTypePolicy``. minikeras computes in float32 and casts the value ``__call__``
        returns to ``dtype``; a non-floating dtype is a ValueError (see `minikeras._dtype`).
        ``loss.dtype`` is read-only.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.losses import Loss
      >>> class Squared(Loss):
      ...     def call(self, y_true, y_pred):
      ...         return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
      >>> print(Squared()([[1.0], [2.0]], [[0.0], [0.0]]).numpy().round(4))
      2.5
    """

    uses_logits = False  # True when `call` accepts `logits=` (the three crossentropies).

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None):
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = _check_reduction(reduction)
        self._dtype = float_dtype(dtype)

    @property
    def dtype(self) -> str:
        """The dtype of what ``__call__`` returns (read-only, as keras)."""
        return self._dtype

    def loss_mask(self, y_true: tf.Tensor, values: tf.Tensor) -> tf.Tensor | None:
        """Which loss elements count (a bool tensor shaped like ``values``), or None for all.

        keras attaches such a mask to the loss (``ignore_class``); masked elements weigh 0
        and the mean divides by the number of unmasked ones.
        """
        return None

    def call(self, y_true: tf.Tensor, y_pred: tf.Tensor) -> tf.Tensor:
        """Returns the per-sample loss (float32 ``y_true`` and ``y_pred``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def _weighted_losses(self, y_true, y_pred, sample_weight, logits):
        """``(values * sample_weight, count)``: see the class docstring for the count."""
        y_pred = tf.cast(y_pred, tf.float32)
        y_true = tf.cast(y_true, tf.float32)
        if logits is not None and self.uses_logits:
            values = self.call(y_true, y_pred, logits=tf.cast(logits, tf.float32))
        else:
            values = self.call(y_true, y_pred)
        values = tf.cast(values, tf.float32)
        mask = self.loss_mask(y_true, values)
        if mask is not None:  # keras's apply_mask, with the mean's rescaling in `count`
            mask = tf.cast(mask, tf.float32)
            if sample_weight is None:
                sample_weight = mask
            else:
                mask, sample_weight = F.squeeze_or_expand_to_same_rank(
                    mask, tf.cast(sample_weight, tf.float32))
                sample_weight = sample_weight * mask
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, tf.float32)
            values, sample_weight = F.squeeze_or_expand_to_same_rank(values, sample_weight)
            extra = (values.shape.rank or 0) - (sample_weight.shape.rank or 0)
            if sample_weight.shape.rank is not None and extra > 0:
                # one weight per sample against per-pixel losses ((n,) against (n, h, w)):
                # each sample's losses get its weight (keras's fit fails to broadcast here)
                sample_weight = tf.reshape(sample_weight, tf.concat(
                    [tf.shape(sample_weight), tf.ones([extra], tf.int32)], axis=0))
                sample_weight = tf.broadcast_to(sample_weight, tf.shape(values))
            values = values * sample_weight
        if self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            count = tf.reduce_sum(sample_weight)
        elif mask is not None:
            count = tf.reduce_sum(mask)
        else:
            count = tf.cast(tf.size(values), tf.float32)
        return values, count

    def sum_and_count(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                      logits: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor]:
        """Returns ``(sum(loss * sample_weight), number of loss elements)``, float32 scalars.

        ``__call__`` with ``"sum_over_batch_size"`` is ``sum / count``; under a distribution
        strategy the engine divides the summed sums by the all-reduced count instead.
        Arguments as for ``__call__``.
        """
        values, count = self._weighted_losses(y_true, y_pred, sample_weight, logits)
        return tf.reduce_sum(values), count

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
        values, count = self._weighted_losses(y_true, y_pred, sample_weight, logits)
        if self.reduction in (None, "none"):
            return cast_result(values, self.dtype)
        total = tf.reduce_sum(values)
        if self.reduction != "sum":
            total = tf.math.divide_no_nan(total, count)
        return cast_result(total, self.dtype)

    def check_targets(self, y_true: np.ndarray, y_pred_shape: tuple) -> None:
        """Validates targets on the host before training. The default accepts anything."""

    def get_config(self) -> dict:
        """The constructor arguments, for `from_config` and saving."""
        # keras's Loss.get_config leaves out `dtype`; so does minikeras.
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
                 name: str | None = None, dtype: Any = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be callable. Received: fn={fn!r}")
        super().__init__(
            name=name or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
            reduction=reduction, dtype=dtype,
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
