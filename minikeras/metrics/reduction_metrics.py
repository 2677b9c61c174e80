"""`Sum`, `Mean` and `MeanMetricWrapper`: running weighted sums and means, as keras's
reduction metrics."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras import _reduce
from minikeras._dtype import cast_result
from minikeras._registry import find_custom, registered_name
from minikeras.losses import functions as loss_functions
from minikeras.losses.functions import squeeze_or_expand_to_same_rank
from minikeras.losses.loss import to_snake_case
from minikeras.metrics.metric import Metric


def reduce_to_samplewise_values(values: Any, sample_weight: Any,
                                reduce_fn: Callable = _reduce.reduce_mean
                                ) -> tuple[tf.Tensor, tf.Tensor | None]:
    """Weights ``values`` and reduces every axis but the first, as keras's `Mean` and `Sum`.

    Ranks are reconciled first (`squeeze_or_expand_to_same_rank`); axes of ``values``
    beyond the rank of ``sample_weight`` are reduced; the weights are broadcast to the
    values and multiply them; then weights and values are reduced over all axes but 0.
    Note that a scalar weight therefore reduces the whole batch into one value of
    weight ``w`` (keras does the same).

    Args:
      reduce_fn: How axes are reduced: a mean (default, `Mean`) or a sum (`Sum`), as
        `minikeras._reduce` computes them (axes of size 1 are squeezed, bitwise the same).

    Returns:
      ``(values, sample_weight)``, with ``sample_weight`` None when none was given.
    """
    values = tf.cast(values, tf.float32)
    if sample_weight is not None:
        sample_weight = tf.cast(sample_weight, tf.float32)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.shape.rank, values.shape.rank
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        if not (values.shape.is_fully_defined() and sample_weight.shape == values.shape):
            sample_weight = tf.broadcast_to(sample_weight, tf.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    if values.shape.rank > 1:
        values = reduce_fn(values, axis=list(range(1, values.shape.rank)))
    return values, sample_weight


class Sum(Metric):
    """Weighted running sum: ``total += sum(values * sample_weight)``; result ``total``.

    Without weights every value counts 1. Values of rank > 1 are summed per sample (see
    `reduce_to_samplewise_values` for how weights are shaped).

    Args:
      name: Default ``"sum"``.
      dtype: See `Metric`.

    Example:
      >>> from minikeras.metrics import Sum
      >>> m = Sum(); m.update_state([1, 3, 5, 7])
      >>> print(m.result().numpy())
      16.0
      >>> m = Sum(); m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
      >>> print(m.result().numpy())
      4.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_state("total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Adds the sum of this batch's (weighted) values to ``total``.

        Args:
          values: A tensor of any shape.
          sample_weight: Optional weights broadcastable to ``values`` (after rank
            reconciliation). Default None.
        """
        values, _ = reduce_to_samplewise_values(values, sample_weight,
                                                reduce_fn=_reduce.reduce_sum)
        self.total.assign_add(tf.reduce_sum(values))

    def result(self) -> tf.Tensor:
        """``total``, cast to ``dtype``."""
        return cast_result(tf.identity(self.total), self.dtype)


class Mean(Metric):
    """Weighted running mean: ``total += sum(v * w)``, ``count += sum(w)``; result
    ``total / count`` (0 while count is 0).

    Without weights every sample counts 1 (values of rank > 1 are first averaged per
    sample). See `reduce_to_samplewise_values` for how weights are shaped.

    Example:
      >>> from minikeras.metrics import Mean
      >>> m = Mean(); m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
      >>> print(m.result().numpy().round(4))
      2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_state("total")
        self.count = self.add_state("count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Adds a batch of values to ``total`` and their weights (or sample count) to ``count``."""
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight)
        # a scalar is its own sum, and a static batch size a constant: fewer ops per step
        self.total.assign_add(tf.reduce_sum(values) if values.shape.rank != 0 else values)
        if sample_weight is not None:
            num_samples = (tf.reduce_sum(sample_weight) if sample_weight.shape.rank != 0
                           else sample_weight)
        elif values.shape.rank:
            num_samples = _reduce.dim(values)
        else:
            num_samples = 1
        self.count.assign_add(tf.cast(num_samples, tf.float32))

    def result(self) -> tf.Tensor:
        """``total / count``, or 0 while ``count`` is 0 (cast to ``dtype``)."""
        return cast_result(tf.math.divide_no_nan(self.total, self.count), self.dtype)


class MeanMetricWrapper(Mean):
    """Running weighted mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
      fn: The per-sample function (e.g. a loss function, or `binary_accuracy`).
      name: Defaults to the snake_case name of ``fn``.
      dtype: See `Metric`.
      **kwargs: Passed on to ``fn``.
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be callable. Received: fn={fn!r}")
        super().__init__(
            name=name or getattr(fn, "name", None)
            or to_snake_case(getattr(fn, "__name__", type(fn).__name__)),
            dtype=dtype,
        )
        self._fn = fn
        self._fn_kwargs = kwargs

    @property
    def accepts_logits(self) -> bool:
        """Whether ``fn`` takes ``logits=`` (the three built-in crossentropies)."""
        return self._fn in loss_functions.LOGITS_FUNCTIONS

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None,
                     logits: tf.Tensor | None = None) -> None:
        """Adds ``fn(y_true, y_pred)`` for this batch, weighted by ``sample_weight``.

        Args:
          sample_weight: Optional per-sample weights (see `reduce_to_samplewise_values`).
            Default None.
          logits: Optional pre-activation of ``y_pred`` (final sigmoid/softmax). Used by the
            crossentropies as keras does (see `minikeras.losses`); ignored otherwise.
        """
        kwargs = dict(self._fn_kwargs)
        if logits is not None and self.accepts_logits:
            kwargs["logits"] = logits
        super().update_state(self._fn(y_true, y_pred, **kwargs), sample_weight=sample_weight)

    def get_config(self) -> dict:
        """``fn``'s name (built-in, or registered with `saving.register_keras_serializable`)
        and kwargs; raises ValueError for a custom ``fn`` that is neither."""
        from minikeras.metrics import FUNCTIONS  # the registry lives in the package

        name = getattr(self._fn, "__name__", None)
        if FUNCTIONS.get(name) is not self._fn:
            name = registered_name(self._fn)
            if find_custom(name) is not self._fn:
                raise ValueError(
                    f"Cannot serialize a MeanMetricWrapper around {self._fn!r}: only the "
                    f"built-in functions ({', '.join(sorted(FUNCTIONS))}) and functions "
                    "registered with `register_keras_serializable` can be serialized.")
        return {"name": self.name, "dtype": self.dtype, "fn": name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        if cls is not MeanMetricWrapper:  # the named metrics rebuild from their arguments
            return cls(**config)
        from minikeras._registry import lookup
        from minikeras.metrics import FUNCTIONS

        config = dict(config)
        fn = config.pop("fn")
        fn = find_custom(fn) or lookup(fn, FUNCTIONS, "metric function")
        return cls(fn, **config)
