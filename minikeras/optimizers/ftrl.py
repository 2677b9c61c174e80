"""FTRL-Proximal (McMahan et al. 2013), with keras's L1/L2/shrinkage terms and order."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.optimizers.optimizer import Optimizer


def ftrl_step(gradient: tf.Tensor, variable: tf.Tensor, accumulator: tf.Tensor,
              linear: tf.Tensor, learning_rate: tf.Tensor, learning_rate_power: float = -0.5,
              l1: float = 0.0, l2: float = 0.0, l2_shrinkage: float = 0.0, beta: float = 0.0
              ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """One FTRL step as a pure function: returns ``(w', accumulator', linear')``.

    With ``p = -learning_rate_power`` (0.5: Adagrad-like), in keras's order::

        l2' = l2 + beta / (2 * lr)
        n' = n + g**2
        z' = z + (g + 2 * l2_shrinkage * w) - (n'**p - n**p) / lr * w
        w' = (clip(z', -l1, l1) - z') / (n'**p / lr + 2 * l2')

    The caller assigns ``w'`` (a new value, not an increment).
    """
    l2 = l2 + beta / (2.0 * learning_rate)
    grad_to_use = gradient + 2 * l2_shrinkage * variable
    new_accumulator = accumulator + tf.square(gradient)
    power = -learning_rate_power
    linear = linear + (grad_to_use - (tf.pow(new_accumulator, power)
                                      - tf.pow(accumulator, power)) / learning_rate * variable)
    quadratic = tf.pow(new_accumulator, power) / learning_rate + 2 * l2
    linear_clipped = tf.clip_by_value(linear, -l1, l1)
    return (linear_clipped - linear) / quadratic, new_accumulator, linear


def _non_negative(name: str, value: Any) -> float:
    if not _validation.is_real(value) or not value >= 0.0:
        raise ValueError(f"`{name}` needs to be positive or zero. Received: {name}={value}.")
    return float(value)


class Ftrl(Optimizer):
    """FTRL-Proximal: ``Ftrl(learning_rate=0.001, learning_rate_power=-0.5,
    initial_accumulator_value=0.1, l1_regularization_strength=0.0,
    l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0, beta=0.0)``.

    Suited to large sparse linear models: L1 sets weights exactly to zero. Slots
    ``accumulator`` (starts at ``initial_accumulator_value``) and ``linear`` (zero) per
    variable; see `ftrl_step` for the update.

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      learning_rate_power: Float <= 0 (-0.5 default; 0 is a fixed learning rate).
      initial_accumulator_value: Float >= 0. Default 0.1.
      l1_regularization_strength: Float >= 0. Default 0.
      l2_regularization_strength: Float >= 0. Default 0.
      l2_shrinkage_regularization_strength: Float >= 0, an L2 penalty on the gradient
        (magnitude shrinkage). Default 0.
      beta: Float >= 0, added to the L2 term as ``beta / (2 lr)``. Default 0.

    Example:
      >>> from minikeras.optimizers import Ftrl
      >>> import minikeras as keras
      >>> model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
      >>> model.compile(optimizer=Ftrl(0.1, l1_regularization_strength=0.01), loss="mse")
    """

    def __init__(self, learning_rate: Any = 0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0,
                 weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        initial_accumulator_value = _non_negative("initial_accumulator_value",
                                                  initial_accumulator_value)
        if not _validation.is_real(learning_rate_power) or not learning_rate_power <= 0.0:
            raise ValueError("`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        l1 = _non_negative("l1_regularization_strength", l1_regularization_strength)
        l2 = _non_negative("l2_regularization_strength", l2_regularization_strength)
        shrinkage = _non_negative("l2_shrinkage_regularization_strength",
                                  l2_shrinkage_regularization_strength)
        beta = _non_negative("beta", beta)
        super().__init__(learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1
        self.l2_regularization_strength = l2
        self.l2_shrinkage_regularization_strength = shrinkage
        self.beta = beta

    def slot_groups(self) -> Sequence[Sequence[str]]:
        return (("accumulator", "linear"),)

    def slot_initial_value(self, name: str) -> float:
        return self.initial_accumulator_value if name == "accumulator" else 0.0

    def update_step(self, gradient: tf.Tensor, variable: tf.Variable,
                    learning_rate: tf.Tensor) -> None:
        accumulator = self.slot(variable, "accumulator")
        linear = self.slot(variable, "linear")
        new_value, new_accumulator, new_linear = ftrl_step(
            gradient, variable, accumulator, linear, learning_rate, self.learning_rate_power,
            self.l1_regularization_strength, self.l2_regularization_strength,
            self.l2_shrinkage_regularization_strength, self.beta)
        linear.assign(new_linear)
        variable.assign(new_value)
        accumulator.assign(new_accumulator)

    def get_config(self) -> dict:
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
