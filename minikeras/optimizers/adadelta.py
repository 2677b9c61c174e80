"""Adadelta: steps scaled by running RMS of past steps over running RMS of gradients."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_float


def adadelta_step(gradient: tf.Tensor, accumulated_grad: tf.Tensor,
                  accumulated_delta: tf.Tensor, learning_rate: tf.Tensor, rho: float = 0.95,
                  epsilon: float = 1e-7) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """One Adadelta step as a pure function: returns ``(increment, acc_grad', acc_delta')``.

    With ``rms(x) = sqrt(x + epsilon)``, in keras's order::

        acc_grad' = rho * acc_grad + (1 - rho) * g**2
        delta = -(rms(acc_delta) * g / rms(acc_grad'))
        acc_delta' = rho * acc_delta + (1 - rho) * delta**2
        increment = lr * delta

    The caller applies ``w += increment``.
    """
    accumulated_grad = rho * accumulated_grad + (1 - rho) * tf.square(gradient)
    delta = -(tf.sqrt(accumulated_delta + epsilon) * gradient
              / tf.sqrt(accumulated_grad + epsilon))
    accumulated_delta = rho * accumulated_delta + (1 - rho) * tf.square(delta)
    return learning_rate * delta, accumulated_grad, accumulated_delta


class Adadelta(Optimizer):
    """Adadelta: ``Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)``.

    For each variable (see `adadelta_step`)::

        G = rho * G + (1 - rho) * g**2
        delta = -sqrt(D + epsilon) / sqrt(G + epsilon) * g
        D = rho * D + (1 - rho) * delta**2
        w = w + lr * delta

    Slots ``accumulated_grad`` (G) and ``accumulated_delta_var`` (D) start at zero.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001
        (keras's; the original paper uses 1.0).
      rho: Decay of both running averages, in [0, 1). Default 0.95.
      epsilon: Positive float inside the square roots. Default 1e-7.

    Example:
      >>> from minikeras.optimizers import Adadelta
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Adadelta(1.0), loss="mse")   # or optimizer="adadelta"
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        rho = check_float("rho", rho, 0.0, 1.0, high_open=True)
        epsilon = check_float("epsilon", epsilon, 0.0, low_open=True, high_open=True)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.rho, self.epsilon = rho, epsilon

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("accumulated_grad", "accumulated_delta_var"),)

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        acc_grad = self.slot(variable, "accumulated_grad")
        acc_delta = self.slot(variable, "accumulated_delta_var")
        increment, new_grad, new_delta = adadelta_step(gradient, acc_grad, acc_delta,
                                                       learning_rate, self.rho, self.epsilon)
        acc_grad.assign(new_grad)
        acc_delta.assign(new_delta)
        variable.assign_add(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
