"""Adamax: Adam with the infinity norm in place of the second moment (keras's order)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_float


def adamax_step(gradient: tf.Tensor, m: tf.Tensor, u: tf.Tensor, learning_rate: tf.Tensor,
                step: tf.Tensor, beta_1: float = 0.9, beta_2: float = 0.999,
                epsilon: float = 1e-7) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """One Adamax step as a pure function: returns ``(decrement, m', u')``::

        m' = m + (g - m) * (1 - beta_1)
        u' = max(beta_2 * u, |g|)
        decrement = lr * m' / ((1 - beta_1**t) * (u' + epsilon))

    ``step`` is the 1-based step t; the caller applies ``w -= decrement``.
    """
    beta_1_power = tf.pow(tf.cast(beta_1, gradient.dtype), tf.cast(step, gradient.dtype))
    m = m + (gradient - m) * (1 - beta_1)
    u = tf.maximum(beta_2 * u, tf.abs(gradient))
    return learning_rate * m / ((1 - beta_1_power) * (u + epsilon)), m, u


class Adamax(Optimizer):
    """Adamax: ``Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``.

    For each variable (see `adamax_step`)::

        m = m + (g - m) * (1 - beta_1);   u = max(beta_2 * u, |g|)
        w = w - lr * m / ((1 - beta_1**t) * (u + epsilon))

    Slots ``momentum`` and ``norm`` start at zero.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      beta_1: Decay of the first moment, in [0, 1). Default 0.9.
      beta_2: Decay of the infinity norm, in [0, 1). Default 0.999.
      epsilon: Positive float added to ``u``. Default 1e-7.

    Example:
      >>> from minikeras.optimizers import Adamax
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Adamax(2e-3), loss="mse")   # or optimizer="adamax"
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None):
        beta_1 = check_float("beta_1", beta_1, 0.0, 1.0, high_open=True)
        beta_2 = check_float("beta_2", beta_2, 0.0, 1.0, high_open=True)
        epsilon = check_float("epsilon", epsilon, 0.0, low_open=True, high_open=True)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("momentum", "norm"),)

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        m, u = self.slot(variable, "momentum"), self.slot(variable, "norm")
        decrement, new_m, new_u = adamax_step(gradient, m, u, learning_rate,
                                              self.iterations + 1, self.beta_1, self.beta_2,
                                              self.epsilon)
        m.assign(new_m)
        u.assign(new_u)
        variable.assign_sub(decrement)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
