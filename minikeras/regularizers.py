"""Weight penalties added to the training loss: L1, L2 and L1L2, as keras.

    L1(l1)(w)      = l1 * sum(|w|)
    L2(l2)(w)      = l2 * sum(w²)
    L1L2(l1, l2)(w) = l1 * sum(|w|) + l2 * sum(w²)

Example:
  >>> Dense(4, kernel_regularizer=minikeras.regularizers.L2(1e-4))
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras._registry import check_callable, lookup


def _check_factor(value: Any, arg: str) -> float:
    return _validation.real(value, arg, 0.0)


class Regularizer:
    """Base class: a callable mapping a weight tensor to a scalar penalty."""

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        return tf.constant(0.0)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)


class L1L2(Regularizer):
    """Penalty ``l1 * sum(|x|) + l2 * sum(x²)``. Args: l1=0.0, l2=0.0."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _check_factor(l1, "l1")
        self.l2 = _check_factor(l2, "l2")

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        penalty = tf.constant(0.0, dtype=x.dtype)
        if self.l1:
            penalty += self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            penalty += self.l2 * tf.reduce_sum(tf.square(x))
        return penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """Penalty ``l1 * sum(|x|)``. Args: l1=0.01."""

    def __init__(self, l1: float = 0.01):
        self.l1 = _check_factor(l1, "l1")

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(Regularizer):
    """Penalty ``l2 * sum(x²)``. Args: l2=0.01."""

    def __init__(self, l2: float = 0.01):
        self.l2 = _check_factor(l2, "l2")

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        return self.l2 * tf.reduce_sum(tf.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}
_NAMES = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2, **_CLASSES}  # keras says "l1l2"


def get(identifier: Any) -> Regularizer | None:
    """Resolves None, a name ("l1", "l2", "l1l2"), a config dict or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return lookup(identifier, _NAMES, "regularizer")()
    if isinstance(identifier, dict):
        cls = lookup(identifier.get("class_name"), _CLASSES, "regularizer")
        return cls.from_config(identifier.get("config", {}))
    return check_callable(identifier, "regularizer")


def serialize(regularizer: Regularizer) -> dict:
    name = type(regularizer).__name__
    lookup(name, _CLASSES, "regularizer")
    return {"class_name": name, "config": regularizer.get_config()}
