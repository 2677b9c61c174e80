"""Adam (and its AMSGrad variant), with keras's operation order."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_bool, check_float


def adam_step(gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, learning_rate: tf.Tensor,
              step: tf.Tensor, beta_1: float = 0.9, beta_2: float = 0.999,
              epsilon: float = 1e-7, v_hat: tf.Tensor | None = None
              ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | None]:
    """One Adam step as a pure function: returns ``(decrement, m', v', v_hat')``.

    ``step`` is the 1-based step number t. In keras's operation order::

        alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m' = m + (g - m) * (1 - beta_1)
        v' = v + (g**2 - v) * (1 - beta_2)
        v_hat' = max(v_hat, v')                 (amsgrad only; then used in place of v')
        decrement = m' * alpha / (sqrt(v') + epsilon)

    The caller applies ``w -= decrement``. The betas and epsilon are Python floats:
    ``1 - beta`` is formed in double precision and rounded once, as keras does.
    """
    dtype = gradient.dtype
    t = tf.cast(step, dtype)
    beta_1_power = tf.pow(tf.cast(beta_1, dtype), t)
    beta_2_power = tf.pow(tf.cast(beta_2, dtype), t)
    alpha = learning_rate * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
    m = m + (gradient - m) * (1 - beta_1)
    v = v + (tf.square(gradient) - v) * (1 - beta_2)
    denominator_v = v
    if v_hat is not None:
        v_hat = tf.maximum(v_hat, v)
        denominator_v = v_hat
    return m * alpha / (tf.sqrt(denominator_v) + epsilon), m, v, v_hat


class Adam(Optimizer):
    """Adam: ``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)``.

    For each variable ``w`` with gradient ``g`` at step ``t`` (see `adam_step`)::

        m = m + (g - m) * (1 - beta_1)
        v = v + (g**2 - v) * (1 - beta_2)
        w = w - m * lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) / (sqrt(v) + epsilon)

    With ``amsgrad=True`` the running maximum of ``v`` replaces ``v`` in the last line.
    Slots start at zero. Keyword arguments of `Optimizer` (weight_decay, clipnorm, clipvalue,
    global_clipnorm) apply.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      beta_1: Decay of the first moment, in [0, 1). Default 0.9.
      beta_2: Decay of the second moment, in [0, 1). Default 0.999.
      epsilon: Positive float added to ``sqrt(v)``. Default 1e-7.
      amsgrad: Whether to use AMSGrad. Default False.

    Example:
      >>> from minikeras.optimizers import Adam
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Adam(1e-3, clipnorm=1.0), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        beta_1 = check_float("beta_1", beta_1, 0.0, 1.0, high_open=True)
        beta_2 = check_float("beta_2", beta_2, 0.0, 1.0, high_open=True)
        epsilon = check_float("epsilon", epsilon, 0.0, low_open=True, high_open=True)
        amsgrad = check_bool("amsgrad", amsgrad)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("momentum", "velocity"),) + ((("velocity_hat",),) if self.amsgrad else ())

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        m, v = self.slot(variable, "momentum"), self.slot(variable, "velocity")
        v_hat = self.slot(variable, "velocity_hat") if self.amsgrad else None
        decrement, new_m, new_v, new_v_hat = adam_step(
            gradient, m, v, learning_rate, self.iterations + 1, self.beta_1, self.beta_2,
            self.epsilon, v_hat)
        m.assign(new_m)
        v.assign(new_v)
        if v_hat is not None:
            v_hat.assign(new_v_hat)
        variable.assign_sub(decrement)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
