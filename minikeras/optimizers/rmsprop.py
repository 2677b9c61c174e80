"""RMSprop, plain, centered and with momentum (keras's operation order)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_bool, check_float


def rmsprop_step(gradient: tf.Tensor, velocity: tf.Tensor, learning_rate: tf.Tensor,
                 rho: float = 0.9, epsilon: float = 1e-7,
                 average_gradient: tf.Tensor | None = None,
                 momentum_slot: tf.Tensor | None = None, momentum: float = 0.0
                 ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor | None, tf.Tensor | None]:
    """One RMSprop step as a pure function: returns
    ``(decrement, velocity', average_gradient', momentum_slot')``.

    In keras's operation order (epsilon inside the root)::

        velocity' = rho * velocity + (1 - rho) * g**2
        centered:  a' = rho * a + (1 - rho) * g;  denominator = velocity' - a'**2 + epsilon
        else:      denominator = velocity' + epsilon
        increment = lr * g / sqrt(denominator)
        momentum:  s' = momentum * s + increment;  decrement = s'
        else:      decrement = increment

    The caller applies ``w -= decrement``. rho and momentum are Python floats (``1 - rho`` is
    formed in double precision, as keras).
    """
    velocity = rho * velocity + (1 - rho) * tf.square(gradient)
    if average_gradient is not None:
        average_gradient = rho * average_gradient + (1 - rho) * gradient
        denominator = velocity - tf.square(average_gradient) + epsilon
    else:
        denominator = velocity + epsilon
    increment = learning_rate * gradient / tf.sqrt(denominator)
    if momentum_slot is not None:
        momentum_slot = momentum * momentum_slot + increment
        increment = momentum_slot
    return increment, velocity, average_gradient, momentum_slot


class RMSprop(Optimizer):
    """RMSprop: ``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
    centered=False)``.

    For each variable ``w`` with gradient ``g`` (see `rmsprop_step`)::

        v = rho * v + (1 - rho) * g**2
        w = w - lr * g / sqrt(v + epsilon)

    ``centered=True`` subtracts the square of a running mean of ``g`` from ``v`` (an estimate
    of the variance); ``momentum > 0`` accumulates the steps with that momentum. Slots
    (velocity; momentum only if momentum > 0; average_gradient only if centered) start at 0.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      rho: Decay of the squared-gradient average, in [0, 1). Default 0.9.
      momentum: Float in [0, 1]. Default 0.0.
      epsilon: Positive float, added inside the square root. Default 1e-7.
      centered: Whether to normalize by the estimated variance. Default False.

    Example:
      >>> from minikeras.optimizers import RMSprop
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=RMSprop(1e-3, momentum=0.9, centered=True), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        rho = check_float("rho", rho, 0.0, 1.0, high_open=True)
        momentum = check_float("momentum", momentum, 0.0, 1.0)
        epsilon = check_float("epsilon", epsilon, 0.0, low_open=True, high_open=True)
        centered = check_bool("centered", centered)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def slot_groups(self) -> Sequence[Sequence[str]]:
        groups = [("velocity",)]
        if self.momentum > 0:
            groups.append(("momentum",))
        if self.centered:
            groups.append(("average_gradient",))
        return groups

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        velocity = self.slot(variable, "velocity")
        average = self.slot(variable, "average_gradient") if self.centered else None
        accumulated = self.slot(variable, "momentum") if self.momentum > 0 else None
        decrement, new_velocity, new_average, new_accumulated = rmsprop_step(
            gradient, velocity, learning_rate, self.rho, self.epsilon, average, accumulated,
            self.momentum)
        velocity.assign(new_velocity)
        if average is not None:
            average.assign(new_average)
        if accumulated is not None:
            accumulated.assign(new_accumulated)
        variable.assign_sub(decrement)

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
