"""`Metric`: a `tf.Module` of state variables, with keras's API."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras._dtype import float_dtype
from minikeras._validation import one_of
from minikeras._validation import shape as shape_arg
from minikeras.losses.loss import to_snake_case


def _module_name(name: str) -> str:
    """tf.Module names must be Python identifiers; metric names need not be."""
    name = re.sub(r"\W", "_", name)
    return name if re.match(r"[A-Za-z_]", name) else "_" + name


_AGGREGATIONS = {
    "sum": tf.VariableAggregation.SUM,
    "mean": tf.VariableAggregation.MEAN,
    "only_first_replica": tf.VariableAggregation.ONLY_FIRST_REPLICA,
    "none": tf.VariableAggregation.NONE,
}


class Metric(tf.Module):
    """Base class: state variables updated batch by batch, as keras's ``Metric``.

    State is made with `add_variable` (or `add_weight`) in ``__init__`` (eagerly). Each
    variable is non-trainable and ``ON_READ``-synchronized (``SUM`` aggregation by default),
    so under a `tf.distribute` strategy every replica accumulates its own part and reading
    the variable sums them. ``update_state`` uses TensorFlow ops only, so it works inside
    `tf.function`.

    Subclasses implement ``update_state(y_true, y_pred, sample_weight=None)`` and
    ``result()``. ``accepts_logits`` is True for metrics whose ``update_state`` also takes
    ``logits=`` (the crossentropies; see `minikeras.losses`).

    Args:
      name: Display name (any string). Defaults to the snake_case class name.
      dtype: As keras: None (float32), a floating dtype name, a ``tf.DType`` or a
        ``DTypePolicy``. The built-in metrics keep their state and compute in float32 and
        cast ``result()`` to ``dtype``; a non-floating dtype is a ValueError (see
        `minikeras._dtype`). ``metric.dtype`` is read-only.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.metrics import Metric
      >>> class Count(Metric):
      ...     def __init__(self, name="count", dtype=None):
      ...         super().__init__(name=name, dtype=dtype)
      ...         self.n = self.add_variable(shape=(), initializer="zeros", name="n")
      ...     def update_state(self, y_true, y_pred, sample_weight=None):
      ...         self.n.assign_add(tf.cast(tf.shape(y_true)[0], self.n.dtype))
      ...     def result(self):
      ...         return tf.identity(self.n)
    """

    accepts_logits = False

    def __init__(self, name: str | None = None, dtype: Any = None):
        name = name or to_snake_case(type(self).__name__)
        super().__init__(name=_module_name(name))
        self._display_name = str(name)
        self._dtype = float_dtype(dtype, allow_int=True)
        self._state_variables = []

    @property
    def name(self) -> str:
        """The display name (the `tf.Module` name is a sanitized copy)."""
        return self._display_name

    @name.setter
    def name(self, value: str) -> None:
        self._display_name = str(value)

    @property
    def dtype(self) -> str:
        """The dtype of ``result()`` (read-only, as keras)."""
        return self._dtype

    @property
    def variables(self) -> list:
        """The state variables in creation order, then those of nested metrics and any other
        `tf.Variable` held in attributes (lists and dicts included), as keras tracks them."""
        own = list(getattr(self, "_state_variables", []))
        seen = {id(v) for v in own}
        return own + [v for v in super().variables if id(v) not in seen]

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None,
                     aggregation: str = "sum", name: str | None = None) -> tf.Variable:
        """Creates a non-trainable state variable (keras's signature and defaults).

        Args:
          shape: Its shape. Default ``()`` (a scalar).
          initializer: An initializer or its name (`minikeras.initializers.get`); None is
            ``"zeros"``.
          dtype: Its dtype. Defaults to the metric's ``dtype`` (float32 unless given), so a
            custom metric computes in the dtype it was made with. Integer dtypes are allowed.
          aggregation: How replicas' values combine: ``"sum"`` (default), ``"mean"``,
            ``"only_first_replica"`` or ``"none"``.
          name: The variable's name.
        """
        from minikeras import initializers  # initializers import nothing from metrics

        one_of(aggregation, "aggregation", tuple(_AGGREGATIONS))
        shape = () if shape is None else tuple(shape_arg(shape, "shape"))
        dtype = tf.as_dtype(dtype or self.dtype)
        init = initializers.get("zeros" if initializer is None else initializer)
        with self.name_scope:
            variable = tf.Variable(
                lambda: tf.cast(init(shape, dtype=dtype) if dtype.is_floating
                                else init(shape, dtype="float32"), dtype),
                dtype=dtype, trainable=False, name=name,
                synchronization=tf.VariableSynchronization.ON_READ,
                aggregation=_AGGREGATIONS[aggregation])
        self._state_variables.append(variable)
        return variable

    def add_weight(self, name: Any = None, shape: Any = (), initializer: Any = None,
                   dtype: Any = None, aggregation: str = "sum", **kwargs: Any) -> tf.Variable:
        """`add_variable` with the older argument order (keras 2's ``add_weight(name, ...)``).

        A first positional argument that is not a string is taken as the shape, as keras 3's
        ``add_weight(shape=(), initializer=None, dtype=None, name=None)``. ``synchronization``
        (keras 2) is accepted and ignored: metric state is always ``ON_READ``.
        """
        kwargs.pop("synchronization", None)
        if kwargs:
            raise TypeError(f"add_weight() got unexpected keyword arguments {sorted(kwargs)}")
        if name is not None and not isinstance(name, str):
            name, shape = None, name
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype,
                                 aggregation=aggregation, name=name)

    def add_state(self, name: str) -> tf.Variable:
        """Creates a float32 scalar state variable, initially 0 (the built-in metrics' state)."""
        return self.add_variable(shape=(), initializer="zeros", dtype="float32", name=name)

    # keras's stateless API (for jax-style code): values in, values out; state is untouched.
    def _check_values(self, metric_variables: Any) -> list:
        if len(metric_variables) != len(self.variables):
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received list with length "
                f"{len(metric_variables)}, but expected {len(self.variables)} variables.")
        return list(metric_variables)

    def _with_values(self, values: list | None, action: Callable[[], Any]) -> tuple[Any, list]:
        saved = [tf.identity(v) for v in self.variables]
        try:
            if values is not None:
                for v, value in zip(self.variables, values):
                    v.assign(tf.cast(value, v.dtype))
            out = action()
            return out, [tf.identity(v) for v in self.variables]
        finally:
            for v, value in zip(self.variables, saved):
                v.assign(value)

    def stateless_update_state(self, metric_variables: Any, *args: Any, **kwargs: Any) -> list:
        """The variables' values after ``update_state(*args)`` from ``metric_variables``."""
        values = self._check_values(metric_variables)
        return self._with_values(values, lambda: self.update_state(*args, **kwargs))[1]

    def stateless_result(self, metric_variables: Any) -> tf.Tensor:
        """``result()`` computed from ``metric_variables`` instead of the state."""
        return self._with_values(self._check_values(metric_variables), self.result)[0]

    def stateless_reset_state(self) -> list:
        """The variables' values after ``reset_state()``."""
        return self._with_values(None, self.reset_state)[1]

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulates the statistics of one batch into the state variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self) -> tf.Tensor:
        """The metric's current value, computed from the state variables."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self) -> None:
        """Sets every state variable (nested metrics' too) back to 0, as keras does."""
        for variable in self.variables:
            variable.assign(tf.zeros(variable.shape, variable.dtype))

    def __call__(self, *args, **kwargs) -> tf.Tensor:
        """``update_state(*args, **kwargs)`` then ``result()``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """The constructor arguments, for `from_config` and saving."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """Rebuilds a metric from the output of `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
