"""Nadam: Adam with Nesterov momentum (Dozat 2016), with keras's momentum schedule and order."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.optimizers.optimizer import Optimizer, check_float


def nadam_step(gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, learning_rate: tf.Tensor,
               step: tf.Tensor, u_product: tf.Tensor, beta_1: float = 0.9,
               beta_2: float = 0.999, epsilon: float = 1e-7
               ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """One Nadam step as a pure function: returns ``(decrement, m', v')``.

    ``step`` is the 1-based step t; ``u_product`` is ``prod_{s<=t} u_s`` including this
    step (see `nadam_u_product`). In keras's operation order, with beta_1 and beta_2 cast to
    the variable's dtype::

        u_t = beta_1 * (1 - 0.5 * 0.96**t);   u_t1 = beta_1 * (1 - 0.5 * 0.96**(t + 1))
        m' = m + (g - m) * (1 - beta_1);       v' = v + (g**2 - v) * (1 - beta_2)
        m_hat = u_t1 * m' / (1 - u_product * u_t1) + (1 - u_t) * g / (1 - u_product)
        v_hat = v' / (1 - beta_2**t)
        decrement = m_hat * lr / (sqrt(v_hat) + epsilon)

    The caller applies ``w -= decrement``.
    """
    dtype = gradient.dtype
    local_step = tf.cast(step, dtype)
    next_step = local_step + 1
    decay = tf.constant(0.96, dtype)
    beta_1 = tf.cast(beta_1, dtype)
    beta_2 = tf.cast(beta_2, dtype)
    u_t = beta_1 * (1.0 - 0.5 * tf.pow(decay, local_step))
    u_t_1 = beta_1 * (1.0 - 0.5 * tf.pow(decay, next_step))
    u_product_t = tf.cast(u_product, dtype)
    u_product_t_1 = u_product_t * u_t_1
    beta_2_power = tf.pow(beta_2, local_step)
    m = m + (gradient - m) * (1 - beta_1)
    v = v + (tf.square(gradient) - v) * (1 - beta_2)
    m_hat = u_t_1 * m / (1 - u_product_t_1) + (1 - u_t) * gradient / (1 - u_product_t)
    v_hat = v / (1 - beta_2_power)
    return m_hat * learning_rate / (tf.sqrt(v_hat) + epsilon), m, v


def nadam_u_product(u_product: tf.Tensor, step: tf.Tensor, beta_1: float = 0.9) -> tf.Tensor:
    """``u_product * beta_1 * (1 - 0.5 * 0.96**t)``: the running product of the momentum
    schedule, advanced once per step before the updates (keras's order)."""
    dtype = u_product.dtype
    return u_product * beta_1 * (1.0 - 0.5 * tf.pow(tf.constant(0.96, dtype),
                                                     tf.cast(step, dtype)))


class Nadam(Optimizer):
    """Nadam: ``Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``.

    Adam whose first moment looks one step ahead (Nesterov), with the momentum schedule
    ``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` (see `nadam_step`). Slots: momentum and velocity
    per variable, then one scalar ``u_product`` (keras's variable order). Keyword arguments
    of `Optimizer` (weight_decay, clipnorm, clipvalue, global_clipnorm) apply.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      beta_1: Decay of the first moment, in [0, 1). Default 0.9.
      beta_2: Decay of the second moment, in [0, 1). Default 0.999.
      epsilon: Positive float added to ``sqrt(v_hat)``. Default 1e-7.

    Example:
      >>> from minikeras.optimizers import Nadam
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Nadam(1e-3), loss="mse")   # or optimizer="nadam"
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
        self._u_product: tf.Variable | None = None

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("momentum", "velocity"),)

    def build_extra_state(self, var_list: Sequence[tf.Variable]) -> None:
        dtype = var_list[0].dtype if var_list else tf.float32
        self._u_product = tf.Variable(1.0, dtype=dtype, trainable=False, name="u_product")

    def extra_state(self) -> list[tf.Variable]:
        return [self._u_product]

    def before_updates(self) -> None:
        self._u_product.assign(nadam_u_product(self._u_product, self.iterations + 1,
                                               self.beta_1))

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        m, v = self.slot(variable, "momentum"), self.slot(variable, "velocity")
        decrement, new_m, new_v = nadam_step(
            gradient, m, v, learning_rate, self.iterations + 1, self._u_product,
            self.beta_1, self.beta_2, self.epsilon)
        m.assign(new_m)
        v.assign(new_v)
        variable.assign_sub(decrement)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}
