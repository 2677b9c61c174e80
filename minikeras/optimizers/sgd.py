"""Stochastic gradient descent, with optional momentum and Nesterov momentum (keras's rule)."""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer


def sgd_step(gradient: tf.Tensor, learning_rate: tf.Tensor, velocity: tf.Tensor | None = None,
             momentum: tf.Tensor | float = 0.0, nesterov: bool = False
             ) -> tuple[tf.Tensor, tf.Tensor | None]:
    """One SGD step as a pure function: returns ``(increment, new_velocity)``.

    With keras's operation order (the algebraically equal ``v = mu*v + g; w -= lr*v`` drifts)::

        plain:     increment = -(g * lr)
        momentum:  v' = v * mu - g * lr;   increment = v'
        nesterov:  v' = v * mu - g * lr;   increment = v' * mu - g * lr

    The caller applies ``w += increment`` and stores ``v'``. keras's ``v`` is the lecture's
    velocity times the learning rate; with a constant rate the trajectories are the same, and
    keras's Nesterov form equals the lecture's gradient-at-lookahead form after the change of
    variable ``θ̃ = θ + μ v``.
    """
    step = gradient * learning_rate  # keras computes it twice for Nesterov: the same value
    if velocity is None:
        return -step, None
    new_velocity = velocity * momentum - step
    if nesterov:
        return new_velocity * momentum - step, new_velocity
    return new_velocity, new_velocity


class SGD(Optimizer):
    """Gradient descent with momentum: ``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``.

    Update for each variable ``w`` with gradient ``g`` (see `sgd_step`)::

        momentum == 0:  w = w - lr * g
        momentum > 0:   v = mu * v - lr * g;  w = w + v                  (nesterov=False)
                        v = mu * v - lr * g;  w = w + mu * v - lr * g    (nesterov=True)

    Velocity slots start at zero and exist only when ``momentum > 0``.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.01.
      momentum: Float in [0, 1]. Default 0.0.
      nesterov: Whether to use Nesterov momentum. Default False.
      weight_decay: See `Optimizer`.
      clipnorm: See `Optimizer`.
      clipvalue: See `Optimizer`.
      global_clipnorm: See `Optimizer`.
      name: See `Optimizer`.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.optimizers import SGD
      >>> w = tf.Variable(1.0)
      >>> opt = SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
      >>> opt.apply([tf.constant(1.0)], [w])   # v = -0.1;  w += 0.9 * v - 0.1
      >>> round(float(w.numpy()), 4)
      0.81
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None):
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or \
                not 0 <= momentum <= 1:
            raise ValueError(
                f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        if not isinstance(nesterov, bool):
            raise TypeError(f"`nesterov` must be a bool. Received: nesterov={nesterov!r}")
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def slot_groups(self) -> Sequence[Sequence[str]]:
        """One ``"momentum"`` (velocity) slot per variable when ``momentum > 0``, else none."""
        return (("momentum",),) if self.momentum != 0 else ()

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        """Updates ``variable`` (and its velocity slot) in place by `sgd_step`.

        Args:
          gradient: The (clipped) gradient, in the variable's dtype.
          variable: The variable to update; weight decay, if any, is already applied.
          learning_rate: The current learning rate, in the variable's dtype.
        """
        if self.momentum == 0:
            variable.assign_sub(gradient * learning_rate)
            return
        velocity = self.slot(variable, "momentum")
        mu = tf.cast(self.momentum, variable.dtype)
        increment, new_velocity = sgd_step(gradient, learning_rate, velocity, mu, self.nesterov)
        velocity.assign(new_velocity)
        variable.assign_add(increment)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
