"""The Optimizer base class: holds the learning rate, the step count and per-variable slots.

The update maths of each optimizer is a pure function of tensors (see `sgd.py`); a subclass
only says which slots it needs and applies that function in `update_step`.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Sequence

import tensorflow as tf


def check_learning_rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value) or value < 0:
        raise ValueError(
            "Argument `learning_rate` should be a non-negative finite float. "
            f"Received: learning_rate={value!r}")
    return float(value)


class Optimizer(tf.Module):
    """Base optimizer: `apply_gradients` updates each variable with `update_step`.

    The learning rate lives in a float32 `tf.Variable`, so changing it (``opt.learning_rate =
    0.1``) never retraces a compiled training step. ``iterations`` counts applied steps.

    Args:
      learning_rate: Non-negative float.
      name: Optional name.
    """

    def __init__(self, learning_rate: float, name: str | None = None):
        super().__init__(name=name or type(self).__name__.lower())
        with tf.init_scope():
            self._learning_rate = tf.Variable(check_learning_rate(learning_rate),
                                              dtype=tf.float32, trainable=False,
                                              name="learning_rate")
            self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        self._slots: dict[str, list[tf.Variable]] = {}
        self._index: dict[Any, int] = {}
        self.built = False

    # ---- learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self) -> tf.Variable:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate.assign(check_learning_rate(float(value)))

    # ---- slots ----------------------------------------------------------------------------
    def slot_names(self) -> Sequence[str]:
        """Names of the per-variable slots this optimizer keeps (e.g. ``("momentum",)``)."""
        return ()

    def build(self, var_list: Sequence[tf.Variable]) -> None:
        """Creates a zero slot per variable for every name in `slot_names()`."""
        if self.built:
            return
        with tf.init_scope():
            for slot in self.slot_names():
                self._slots[slot] = [
                    tf.Variable(tf.zeros_like(v), trainable=False,
                                name=f"{v.name.split(':')[0]}_{slot}") for v in var_list]
        self._index = {v.ref(): i for i, v in enumerate(var_list)}
        self.built = True

    def slot(self, variable: tf.Variable, name: str) -> tf.Variable:
        return self._slots[name][self._index[variable.ref()]]

    @property
    def variables(self) -> list[tf.Variable]:
        """Optimizer state in a fixed order: iterations, learning rate, then slots by name."""
        out = [self.iterations, self._learning_rate]
        for name in self.slot_names():
            out.extend(self._slots.get(name, []))
        return out

    # ---- applying -------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, tf.Variable]]) -> None:
        """Applies one step: ``update_step(g, v, lr)`` for every pair with a gradient."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[tf.Variable]) -> None:
        if len(grads) != len(trainable_variables):
            raise ValueError(
                f"Expected as many gradients as variables. Received {len(grads)} gradients for "
                f"{len(trainable_variables)} variables.")
        self.build(trainable_variables)
        lr = tf.identity(self._learning_rate)
        for grad, var in zip(grads, trainable_variables):
            if grad is None:
                continue
            if var.ref() not in self._index:
                raise ValueError(
                    f"Variable '{var.name}' was not among the variables this optimizer was "
                    "built for. Use a new optimizer for a new set of variables.")
            self.update_step(tf.cast(grad, var.dtype), var, tf.cast(lr, var.dtype))
        self.iterations.assign_add(1)

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name, "learning_rate": float(self._learning_rate.numpy())}

    @classmethod
    def from_config(cls, config: dict) -> "Optimizer":
        return cls(**config)
