"""Adagrad (keras's form: the accumulator starts at a positive value, epsilon in the root)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_float


def adagrad_step(gradient: tf.Tensor, accumulator: tf.Tensor, learning_rate: tf.Tensor,
                 epsilon: float = 1e-7) -> tuple[tf.Tensor, tf.Tensor]:
    """One Adagrad step as a pure function: returns ``(decrement, accumulator')``::

        accumulator' = accumulator + g**2
        decrement = lr * g / sqrt(accumulator' + epsilon)

    The caller applies ``w -= decrement``.
    """
    accumulator = accumulator + tf.square(gradient)
    return learning_rate * gradient / tf.sqrt(accumulator + epsilon), accumulator


class Adagrad(Optimizer):
    """Adagrad: ``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)``.

    Each variable's step shrinks with the sum of its squared gradients (see `adagrad_step`)::

        a = a + g**2                       (a starts at initial_accumulator_value)
        w = w - lr * g / sqrt(a + epsilon)

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      initial_accumulator_value: Non-negative float. Default 0.1.
      epsilon: Positive float, inside the square root. Default 1e-7.

    Example:
      >>> from minikeras.optimizers import Adagrad
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Adagrad(0.1), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None):
        initial_accumulator_value = check_float(
            "initial_accumulator_value", initial_accumulator_value, 0.0, high_open=True)
        epsilon = check_float("epsilon", epsilon, 0.0, low_open=True, high_open=True)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("accumulator",),)

    def slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        accumulator = self.slot(variable, "accumulator")
        decrement, new_accumulator = adagrad_step(gradient, accumulator, learning_rate,
                                                  self.epsilon)
        accumulator.assign(new_accumulator)
        variable.assign_sub(decrement)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
