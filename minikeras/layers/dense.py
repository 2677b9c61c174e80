"""Dense: the fully connected layer, ``activation(x @ kernel + bias)``."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras import _validation, activations, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers.layer import Layer


def activation_name(fn: Callable) -> str:
    """The registered name of an activation, or the function's own name for a custom one
    (loading it then needs ``custom_objects={name: fn}``)."""
    try:
        return activations.serialize(fn)
    except ValueError:
        return getattr(fn, "__name__", type(fn).__name__)


class Dense(Layer):
    """A fully connected layer: ``output = activation(inputs @ kernel + bias)``.

    The kernel has shape ``(input_dim, units)`` and the bias ``(units,)``; both are created on
    the first call, when ``input_dim`` (the input's last dimension) is known.

    Args:
      units: Positive integer, the output dimension.
      activation: Activation function or its name; None means linear. Default None.
      use_bias: Whether to add a bias vector. Default True.
      kernel_initializer: Default "glorot_uniform".
      bias_initializer: Default "zeros".
      kernel_regularizer: Optional penalty on the kernel (see `minikeras.regularizers`).
      bias_regularizer: Optional penalty on the bias.
      activity_regularizer: Optional penalty on the outputs.
      kernel_constraint: Optional projection of the kernel applied after each update (see
        `minikeras.constraints`).
      bias_constraint: Optional projection of the bias applied after each update.
      name: Optional layer name.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Dense
      >>> layer = Dense(3, activation="relu")
      >>> layer(tf.ones((2, 4))).shape
      TensorShape([2, 3])
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, name: str | None = None, **kwargs: Any):
        if not _validation.is_int(units) or units <= 0:
            raise ValueError(
                "Received an invalid value for `units`, expected a positive integer. "
                f"Received: units={units!r}")
        super().__init__(name=name, activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel: tf.Variable | None = None
        self.bias: tf.Variable | None = None

    def build(self, input_shape: tuple) -> None:
        """Creates ``kernel`` ``(input_dim, units)`` and, if ``use_bias``, ``bias`` ``(units,)``.

        Raises ValueError unless ``input_shape`` has rank >= 2 and a known last dimension.
        """
        input_dim = self._input_dim(input_shape)
        self.kernel = self.add_weight(shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        self.built = True

    def _input_dim(self, input_shape: tuple) -> int:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Layer '{self.name}' expects inputs of rank >= 2 with a known last dimension "
                f"(batch, ..., features). Received input_shape={tuple(input_shape)}"
                + (". For a single feature use x.reshape(-1, 1)." if len(input_shape) == 1
                   else ""))
        return int(input_shape[-1])

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        """``kernel`` of shape ``(input_shape[-1], units)``, then ``bias`` of ``(units,)``."""
        shapes = [("kernel", (self._input_dim(input_shape), self.units))]
        return shapes + [("bias", (self.units,))] if self.use_bias else shapes

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        z = tf.matmul(inputs, self.kernel)
        if self.use_bias:
            # keras's broadcast add: tf.nn.bias_add would save a few gradient ops per step,
            # but sums the bias gradient in another order, and parity with keras comes first.
            z = z + self.bias
        return z if self.activation is None else self.activation(z)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        def optional(obj: Any, module: Any) -> Any:
            return None if obj is None else serialize_or_custom(obj, module.serialize)

        return {**super().get_config(), "units": self.units,
                "activation": activation_name(self.activation or activations.linear),
                "use_bias": self.use_bias,
                "kernel_initializer": serialize_or_custom(self.kernel_initializer,
                                                          initializers.serialize),
                "bias_initializer": serialize_or_custom(self.bias_initializer,
                                                        initializers.serialize),
                "kernel_regularizer": optional(self.kernel_regularizer, regularizers),
                "bias_regularizer": optional(self.bias_regularizer, regularizers),
                "kernel_constraint": optional(self.kernel_constraint, constraints),
                "bias_constraint": optional(self.bias_constraint, constraints)}
