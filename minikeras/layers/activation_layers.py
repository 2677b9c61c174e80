"""Activation layers: ReLU, LeakyReLU, PReLU (learned slopes) and ELU."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation, activations, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers.layer import Layer


def _non_negative(value: Any, arg: str, layer: str, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if not _validation.is_real(value) or value < 0:
        none = "" if allow_none else "None or "  # keras's two wordings
        raise ValueError(f"{arg} of a {layer} layer cannot be {none}a negative value. "
                         f"Received: {arg}={value!r}")
    return float(value)


class _Elementwise(Layer):
    _float_inputs = True
    supports_masking = True  # keras's flag (minikeras has no masks)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit, optionally capped, leaky and shifted.

    ``f(x) = min(x, max_value)`` for ``x > threshold`` (just ``x`` without ``max_value``),
    else ``negative_slope * (x - threshold)``; with the defaults ``max(x, 0)``.

    Args:
      max_value: Non-negative float, the cap; None for no cap. Default None.
      negative_slope: Non-negative float, the slope below the threshold. Default 0.0.
      threshold: Non-negative float. Default 0.0.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import ReLU
      >>> ReLU(max_value=1.0)(tf.constant([-1.0, 0.5, 2.0])).numpy()
      array([0. , 0.5, 1. ], dtype=float32)
    """

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs: Any):
        max_value = _non_negative(max_value, "max_value", "ReLU", allow_none=True)
        negative_slope = _non_negative(negative_slope, "negative_slope", "ReLU")
        threshold = _non_negative(threshold, "threshold", "ReLU")
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        self._build_at_init()  # no weights: built at once, any input shape later (keras)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """Leaky ReLU: ``f(x) = x`` for ``x >= 0``, ``negative_slope * x`` otherwise.

    Args:
      negative_slope: Non-negative float. Default 0.3 (the `leaky_relu` *function* defaults
        to 0.2, as in keras).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import LeakyReLU
      >>> LeakyReLU()(tf.constant([-1.0, 2.0])).numpy()
      array([-0.3,  2. ], dtype=float32)
    """

    def __init__(self, negative_slope: float = 0.3, **kwargs: Any):
        if "alpha" in kwargs:  # keras's deprecated name
            negative_slope = kwargs.pop("alpha")
        if not _validation.is_real(negative_slope) or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope!r}")
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)
        self._build_at_init()

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """Exponential linear unit: ``f(x) = x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
      alpha: Float, the scale of the negative part. Default 1.0.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import ELU
      >>> ELU()(tf.constant([0.0, 1.0])).numpy()
      array([0., 1.], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, **kwargs: Any):
        alpha = _validation.real(alpha, "alpha")
        super().__init__(**kwargs)
        self.alpha = alpha
        self._build_at_init()

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """Parametric ReLU: ``f(x) = max(x, 0) - alpha * max(-x, 0)`` with a learned ``alpha``.

    ``alpha`` has one entry per input element of a sample (shape ``input_shape[1:]``), or is
    shared (size 1) along each axis listed in ``shared_axes`` (e.g. ``[1, 2]`` for one slope
    per channel of an image).

    Args:
      alpha_initializer: Default "Zeros" (a plain ReLU at first).
      alpha_regularizer: Optional penalty on the slopes. Default None.
      alpha_constraint: Optional constraint on the slopes. Default None.
      shared_axes: Integer or list of integers (1-based sample axes) sharing one slope.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras import initializers
      >>> from minikeras.layers import PReLU
      >>> layer = PReLU(alpha_initializer=initializers.Constant(0.1))
      >>> layer(tf.constant([[-1.0, 2.0]])).numpy()
      array([[-0.1,  2. ]], dtype=float32)
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: int | Sequence[int] | None = None,
                 **kwargs: Any):
        if shared_axes is not None:
            axes = list(shared_axes) if isinstance(shared_axes, (list, tuple)) else [shared_axes]
            if not all(_validation.is_int(a) and a >= 1 for a in axes):
                raise ValueError("Expected `shared_axes` to be positive sample axes (1 is the "
                                 f"first axis after the batch). Received: shared_axes="
                                 f"{shared_axes!r}")
            shared_axes = [int(a) for a in axes]
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        self.shared_axes = shared_axes
        self.alpha: tf.Variable | None = None

    def _alpha_shape(self, input_shape: tuple) -> tuple:
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if a > len(shape):
                raise ValueError(f"Layer '{self.name}' (PReLU): shared axis {a} is out of range "
                                 f"for input shape {tuple(input_shape)}.")
            shape[a - 1] = 1
        if len(input_shape) < 2 or any(d is None for d in shape):
            raise ValueError(f"Layer '{self.name}' (PReLU) needs inputs of rank >= 2 with known "
                             "sizes on every non-shared axis. Received input_shape="
                             f"{tuple(input_shape)}")
        return tuple(shape)

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        return [("alpha", self._alpha_shape(input_shape))]

    def build(self, input_shape: tuple) -> None:
        self.alpha = self.add_weight(shape=self._alpha_shape(input_shape),
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint, name="alpha")
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.nn.relu(inputs) + (-self.alpha * tf.nn.relu(-inputs))

    def get_config(self) -> dict:
        def optional(obj: Any, module: Any) -> Any:
            return None if obj is None else serialize_or_custom(obj, module.serialize)

        return {**super().get_config(),
                "alpha_initializer": serialize_or_custom(self.alpha_initializer,
                                                         initializers.serialize),
                "alpha_regularizer": optional(self.alpha_regularizer, regularizers),
                "alpha_constraint": optional(self.alpha_constraint, constraints),
                "shared_axes": self.shared_axes}
