"""Weight penalties added to the training loss: L1, L2 and L1L2, as keras.

    L1(l1)(w)      = l1 * sum(|w|)
    L2(l2)(w)      = l2 * sum(w²)
    L1L2(l1, l2)(w) = l1 * sum(|w|) + l2 * sum(w²)
    OrthogonalRegularizer(factor, mode)(w) = factor * 0.5 * sum(|N Nᵀ - diag|) / (n(n-1)/2)
        with N the L2-normalized rows ("rows") or columns ("columns") of a rank-2 w

Example:
  >>> import minikeras
  >>> from minikeras.layers import Dense
  >>> layer = Dense(4, kernel_regularizer=minikeras.regularizers.L2(1e-4))
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
        """The constructor's arguments as a JSON-friendly dict (saved in model files)."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        """The regularizer ``cls(**config)``: the inverse of `get_config`."""
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


class OrthogonalRegularizer(Regularizer):
    """Encourages orthogonal rows (``mode="rows"``) or columns of a rank-2 weight.

    The penalty is ``factor`` times half the mean absolute dot product between the
    L2-normalized rows (or columns), excluding each with itself (keras's formula and
    normalization ``x * min(rsqrt(sum(x²)), 1/1e-7)``).

    Args:
      factor: Non-negative float. Default 0.01.
      mode: "rows" (default) or "columns".
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows"):
        self.factor = _check_factor(factor, "factor")
        if mode not in {"rows", "columns"}:
            raise ValueError('Invalid value for argument `mode`. Expected one of {"rows", '
                             f'"columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, x: tf.Tensor) -> tf.Tensor:
        x = tf.convert_to_tensor(x)
        if len(x.shape) != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. "
                             f"Received: inputs.shape={tuple(x.shape)}")
        axis = 1 if self.mode == "rows" else 0
        inv_norm = tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
        x = x * tf.minimum(inv_norm, 1.0 / 1e-7)
        product = tf.matmul(x, x, transpose_b=True) if axis == 1 else \
            tf.matmul(x, x, transpose_a=True)
        size = x.shape[1 - axis]
        no_diagonal = product * (1.0 - tf.eye(size, dtype=x.dtype))
        return self.factor * 0.5 * tf.reduce_sum(tf.abs(no_diagonal)) / (
            size * (size - 1.0) / 2.0)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2, "OrthogonalRegularizer": OrthogonalRegularizer}
_NAMES = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2,  # keras says "l1l2"
          "orthogonal_regularizer": OrthogonalRegularizer, **_CLASSES}


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
    """``{"class_name": ..., "config": ...}`` of a built-in regularizer (a ValueError for
    others)."""
    name = type(regularizer).__name__
    lookup(name, _CLASSES, "regularizer")
    return {"class_name": name, "config": regularizer.get_config()}


# keras's lower-case aliases: ``kernel_regularizer=regularizers.l2(0.01)``
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
