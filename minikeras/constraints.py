"""Weight constraints: projections applied to a weight after every optimizer update (keras's).

``Dense(4, kernel_constraint=MaxNorm(2.0))`` keeps each column's norm at most 2: after the
optimizer's update, the kernel is replaced by ``constraint(kernel)``, as keras does.
Norms are taken along ``axis`` (0 for a Dense kernel: one norm per output unit) and
``epsilon = 1e-7`` keeps the divisions finite.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras._naming import to_snake_case
from minikeras._registry import check_callable, lookup

EPSILON = 1e-7


def _norms(w: tf.Tensor, axis: Any) -> tf.Tensor:
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: a callable ``w -> projected w``; the base returns ``w`` unchanged."""

    def __call__(self, w: tf.Tensor) -> tf.Tensor:
        return w

    def get_config(self) -> dict:
        """The constructor's arguments as a JSON-friendly dict (saved in model files)."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        """The constraint ``cls(**config)``: the inverse of `get_config`."""
        return cls(**config)


class MaxNorm(Constraint):
    """``w * clip(n, 0, max_value) / (eps + n)`` with ``n`` the norms along ``axis``.

    Args: max_value=2, axis=0.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.constraints import MaxNorm
      >>> print(MaxNorm(1.0)(tf.constant([[3.0], [4.0]])).numpy().round(3).ravel())
      [0.6 0.8]
    """

    def __init__(self, max_value: float = 2, axis: Any = 0):
        self.max_value = _validation.real(max_value, "max_value", 0.0)
        self.axis = axis

    def __call__(self, w: tf.Tensor) -> tf.Tensor:
        norms = _norms(w, self.axis)
        return w * (tf.clip_by_value(norms, 0.0, self.max_value) / (EPSILON + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """``max(w, 0)``: weights stay non-negative."""

    def __call__(self, w: tf.Tensor) -> tf.Tensor:
        return tf.maximum(w, tf.zeros((), w.dtype))


class UnitNorm(Constraint):
    """``w / (eps + n)``: unit norm along ``axis``. Args: axis=0."""

    def __init__(self, axis: Any = 0):
        self.axis = axis

    def __call__(self, w: tf.Tensor) -> tf.Tensor:
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """``w * d / (eps + n)`` with ``d = rate * clip(n, min_value, max_value) + (1 - rate) n``.

    Args: min_value=0.0, max_value=1.0, rate=1.0, axis=0.
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0):
        self.min_value = _validation.real(min_value, "min_value")
        self.max_value = _validation.real(max_value, "max_value", self.min_value)
        self.rate = _validation.real(rate, "rate")
        self.axis = axis

    def __call__(self, w: tf.Tensor) -> tf.Tensor:
        norms = _norms(w, self.axis)
        desired = (self.rate * tf.clip_by_value(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return w * (desired / (EPSILON + norms))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


_CLASSES = {cls.__name__: cls for cls in (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
_NAMES = {**_CLASSES, **{to_snake_case(name): cls for name, cls in _CLASSES.items()},
          "max_norm": MaxNorm, "min_max_norm": MinMaxNorm, "non_neg": NonNeg,
          "unit_norm": UnitNorm}
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def get(identifier: Any) -> Any:
    """Resolves None, a name ("max_norm", "NonNeg"...), a config dict, a class or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup(identifier, _NAMES, "constraint")()
    if isinstance(identifier, dict):
        cls = lookup(identifier.get("class_name"), _CLASSES, "constraint")
        return cls.from_config(dict(identifier.get("config") or {}))
    if isinstance(identifier, type):
        return check_callable(identifier(), "constraint")
    return check_callable(identifier, "constraint")


def serialize(constraint: Constraint) -> dict:
    """``{"class_name": ..., "config": ...}`` of a built-in constraint."""
    name = type(constraint).__name__
    lookup(name, _CLASSES, "constraint")
    return {"class_name": name, "config": constraint.get_config()}


def deserialize(config: dict) -> Constraint:
    """The constraint `serialize` described."""
    return get(config)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "deserialize", "get",
           "max_norm", "min_max_norm", "non_neg", "serialize", "unit_norm"]
