"""AdamW: Adam with decoupled weight decay on by default (keras's AdamW)."""
from __future__ import annotations

from typing import Any

from minikeras.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: ``AdamW(learning_rate=0.001, weight_decay=0.004, ...)``.

    Each step first shrinks every variable, then takes the Adam step (see `adam_step`)::

        w = w - w * weight_decay * lr
        w = w - adam decrement

    The decay is the base optimizer's `weight_decay` (exclude variables with
    `exclude_from_weight_decay`); it is not added to the gradient, so Adam's scaling does
    not touch it (Loshchilov & Hutter, "Decoupled Weight Decay Regularization").

    Args:
      learning_rate: Non-negative float, schedule or callable of the step. Default 0.001.
      weight_decay: Non-negative float (required, not None). Default 0.004.
      beta_1: As `Adam`. Default 0.9.
      beta_2: As `Adam`. Default 0.999.
      epsilon: As `Adam`. Default 1e-7.
      amsgrad: As `Adam`. Default False.
      clipnorm: See `Optimizer`.
      clipvalue: See `Optimizer`.
      global_clipnorm: See `Optimizer`.
      name: See `Optimizer`.
    """

    def __init__(self, learning_rate: Any = 0.001, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None):
        if weight_decay is None:
            raise ValueError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, name=name)
