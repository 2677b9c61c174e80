"""Lion (Chen et al. 2023): signed steps of an interpolated momentum."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_float


def lion_step(gradient: tf.Tensor, m: tf.Tensor, learning_rate: tf.Tensor, beta_1: float = 0.9,
              beta_2: float = 0.99) -> tuple[tf.Tensor, tf.Tensor]:
    """One Lion step as a pure function: returns ``(decrement, m')``::

        decrement = lr * sign(m * beta_1 + g * (1 - beta_1))
        m' = m * beta_2 + g * (1 - beta_2)

    The betas are cast to the variable's dtype first (keras); the caller applies
    ``w -= decrement``.
    """
    beta_1 = tf.cast(beta_1, gradient.dtype)
    beta_2 = tf.cast(beta_2, gradient.dtype)
    decrement = learning_rate * tf.sign(m * beta_1 + gradient * (1.0 - beta_1))
    return decrement, m * beta_2 + gradient * (1.0 - beta_2)


class Lion(Optimizer):
    """Lion: ``Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99)``.

    Every element moves by exactly ``lr`` per step, in the direction of the sign of an
    interpolation of momentum and gradient (see `lion_step`); use a smaller learning rate
    than for Adam (3-10x). One ``momentum`` slot per variable, starting at zero.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      beta_1: Interpolation factor of the step's direction, in (0, 1]. Default 0.9.
      beta_2: Decay of the momentum, in [0, 1). Default 0.99.

    Example:
      >>> from minikeras.optimizers import Lion
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Lion(1e-4), loss="mse")   # or optimizer="lion"
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        if not isinstance(beta_1, (int, float)) or isinstance(beta_1, bool) or \
                not 0 < beta_1 <= 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        beta_2 = check_float("beta_2", beta_2, 0.0, 1.0, high_open=True)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1, self.beta_2 = float(beta_1), beta_2

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("momentum",),)

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        m = self.slot(variable, "momentum")
        decrement, new_m = lion_step(gradient, m, learning_rate, self.beta_1, self.beta_2)
        variable.assign_sub(decrement)
        m.assign(new_m)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
