"""`Metric` (a `tf.Module` of state variables), `Mean` and `MeanMetricWrapper`."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras.losses import functions as loss_functions
from minikeras.losses.functions import squeeze_or_expand_to_same_rank
from minikeras.losses.loss import to_snake_case


def _module_name(name: str) -> str:
    """tf.Module names must be Python identifiers; metric names need not be."""
    name = re.sub(r"\W", "_", name)
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


class Metric(tf.Module):
    """Base class: float32 scalar state variables updated batch by batch.

    State is made with `add_state` in ``__init__`` (eagerly). Each variable is
    non-trainable, ``ON_READ``-synchronized with ``SUM`` aggregation, so under a
    `tf.distribute` strategy every replica accumulates its own part and reading the
    variable sums them. ``update_state`` uses TensorFlow ops only, so it works inside
    `tf.function`.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)`` and
    ``result()``. ``accepts_logits`` is True for metrics whose ``update_state`` also takes
    ``logits=`` (the crossentropies; see `minikeras.losses`).

    Args:
      name: Display name (any string). Defaults to the snake_case class name.
    """

    accepts_logits = False

    def __init__(self, name: str | None = None):
        name = name or to_snake_case(type(self).__name__)
        super().__init__(name=_module_name(name))
        self._display_name = str(name)
        self._state_variables = []

    @property
    def name(self) -> str:
        """The display name (the `tf.Module` name is a sanitized copy)."""
        return self._display_name

    @name.setter
    def name(self, value: str) -> None:
        self._display_name = str(value)

    def add_state(self, name: str) -> tf.Variable:
        """Creates a float32 scalar state variable, initially 0."""
        with self.name_scope:
            variable = tf.Variable(
                0.0,
                dtype=tf.float32,
                trainable=False,
                name=name,
                synchronization=tf.VariableSynchronization.ON_READ,
                aggregation=tf.VariableAggregation.SUM,
            )
        self._state_variables.append(variable)
        return variable

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulates the statistics of one batch into the state variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self) -> tf.Tensor:
        """The metric's current value, computed from the state variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every state variable back to 0."""
        for variable in self._state_variables:
            variable.assign(0.0)

    def __call__(self, *args, **kwargs) -> tf.Tensor:
        """``update_state(*args, **kwargs)`` then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments, for `from_config` and saving."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """Rebuilds a metric from the output of `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def reduce_to_samplewise_values(values: Any, sample_weight: Any
                                ) -> tuple[tf.Tensor, tf.Tensor | None]:
    """Weights ``values`` and averages every axis but the first, as keras's `Mean`.

    Ranks are reconciled first (`squeeze_or_expand_to_same_rank`); axes of ``values``
    beyond the rank of ``sample_weight`` are averaged; the weights are broadcast to the
    values and multiply them; then weights and values are averaged over all axes but 0.
    Note that a scalar weight therefore averages the whole batch into one value of
    weight ``w`` (keras does the same).

    Returns:
      ``(values, sample_weight)``, with ``sample_weight`` None when none was given.
    """
    values = tf.cast(values, tf.float32)
    if sample_weight is not None:
        sample_weight = tf.cast(sample_weight, tf.float32)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.shape.rank, values.shape.rank
        if values_ndim > weight_ndim:
            values = tf.reduce_mean(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = tf.broadcast_to(sample_weight, tf.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = tf.reduce_mean(sample_weight, axis=list(range(1, weight_ndim)))
    if values.shape.rank > 1:
        values = tf.reduce_mean(values, axis=list(range(1, values.shape.rank)))
    return values, sample_weight


class Mean(Metric):
    """Weighted running mean: ``total += sum(v * w)``, ``count += sum(w)``; result
    ``total / count`` (0 while count is 0).

    Without weights every sample counts 1 (values of rank > 1 are first averaged per
    sample). See `reduce_to_samplewise_values` for how weights are shaped.

    Example:
      >>> m = Mean(); m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
      >>> m.result()   # 2.0
    """

    def __init__(self, name: str = "mean"):
        super().__init__(name=name)
        self.total = self.add_state("total")
        self.count = self.add_state("count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Adds a batch of values to ``total`` and their weights (or sample count) to ``count``."""
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight)
        self.total.assign_add(tf.reduce_sum(values))
        if sample_weight is not None:
            num_samples = tf.reduce_sum(sample_weight)
        elif values.shape.rank:
            num_samples = tf.shape(values)[0]
        else:
            num_samples = 1
        self.count.assign_add(tf.cast(num_samples, tf.float32))

    def result(self) -> tf.Tensor:
        """``total / count``, or 0 while ``count`` is 0."""
        return tf.math.divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """Running weighted mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
      fn: The per-sample function (e.g. a loss function, or `binary_accuracy`).
      name: Defaults to the snake_case name of ``fn``.
      **kwargs: Passed on to ``fn``.
    """

    def __init__(self, fn: Callable, name: str | None = None, **kwargs: Any):
        if not callable(fn):
            raise TypeError(f"Expected `fn` to be callable. Received: fn={fn!r}")
        super().__init__(
            name=name or getattr(fn, "name", None)
            or to_snake_case(getattr(fn, "__name__", type(fn).__name__))
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
        """``fn``'s registered name and kwargs; raises ValueError for a custom ``fn``."""
        from minikeras.metrics import FUNCTIONS  # the registry lives in the package

        name = getattr(self._fn, "__name__", None)
        if FUNCTIONS.get(name) is not self._fn:
            raise ValueError(
                f"Cannot serialize a MeanMetricWrapper around {self._fn!r}: only the "
                f"built-in functions can be serialized ({', '.join(sorted(FUNCTIONS))})."
            )
        return {"name": self.name, "fn": name, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        if cls is not MeanMetricWrapper:  # the named metrics rebuild from their arguments
            return cls(**config)
        from minikeras._registry import lookup
        from minikeras.metrics import FUNCTIONS

        config = dict(config)
        return cls(lookup(config.pop("fn"), FUNCTIONS, "metric function"), **config)
