"""LayerNormalization, and the arguments every normalization layer shares (epsilon,
center/beta, scale/gamma). BatchNormalization and GroupNormalization have their own modules."""
from __future__ import annotations

import warnings
from typing import Any

import tensorflow as tf

from minikeras import _validation, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers.layer import Layer


def _optional(obj: Any, module: Any) -> Any:
    return None if obj is None else serialize_or_custom(obj, module.serialize)


def _int_axis(axis: Any, arg: str = "axis") -> int:
    if not _validation.is_int(axis):
        raise TypeError(f"Expected `{arg}` to be an integer. Received: {arg}={axis!r}")
    return int(axis)


class _AffineNorm(Layer):
    """Shared arguments of the normalization layers: epsilon, center/beta, scale/gamma."""

    _float_inputs = True
    supports_masking = True  # keras's flag (minikeras has no masks)

    def __init__(self, epsilon: float, center: bool, scale: bool, beta_initializer: Any,
                 gamma_initializer: Any, beta_regularizer: Any, gamma_regularizer: Any,
                 beta_constraint: Any, gamma_constraint: Any, **kwargs: Any):
        epsilon = _validation.real(epsilon, "epsilon", low=0.0)
        center = _validation.boolean(center, "center")
        scale = _validation.boolean(scale, "scale")
        super().__init__(**kwargs)
        self.epsilon, self.center, self.scale = epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma: tf.Variable | None = None
        self.beta: tf.Variable | None = None

    def _axis_dims(self, input_shape: tuple, axes: list[int]) -> tuple:
        """The sizes of ``axes`` in ``input_shape``; a clear ValueError if unknown."""
        rank = len(input_shape)
        dims = []
        for a in axes:
            if not -rank <= a < rank or (rank < 2 and a % rank == 0):
                raise ValueError(
                    f"Axis {a} is out of bounds for input shape {tuple(input_shape)} (layer "
                    f"'{self.name}', {type(self).__name__}; the batch axis cannot be "
                    f"normalized). Received: axis={self.axis}")
            if input_shape[a] is None:
                raise ValueError(
                    f"Axis {a} of input tensor should have a defined dimension but the layer "
                    f"received an input with shape {tuple(input_shape)} (layer '{self.name}', "
                    f"{type(self).__name__}).")
            dims.append(int(input_shape[a]))
        return tuple(dims)

    @property
    def _with_gamma(self) -> bool:
        return self.scale

    @property
    def _with_beta(self) -> bool:
        return self.center

    def _affine_shapes(self, shape: tuple) -> list[tuple[str, tuple]]:
        return ([("gamma", shape)] if self._with_gamma else []) + (
            [("beta", shape)] if self._with_beta else [])

    def _build_affine(self, shape: tuple) -> None:
        if self._with_gamma:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self._with_beta:
            self.beta = self.add_weight(shape=shape, initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, name="beta")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        axis = list(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": serialize_or_custom(self.beta_initializer,
                                                        initializers.serialize),
                "gamma_initializer": serialize_or_custom(self.gamma_initializer,
                                                         initializers.serialize),
                "beta_regularizer": _optional(self.beta_regularizer, regularizers),
                "gamma_regularizer": _optional(self.gamma_regularizer, regularizers),
                "beta_constraint": _optional(self.beta_constraint, constraints),
                "gamma_constraint": _optional(self.gamma_constraint, constraints)}


class LayerNormalization(_AffineNorm):
    """Normalizes each sample over ``axis`` (its features), independently of the batch.

    ``y = (x - mean) * rsqrt(var + epsilon) * gamma + beta``, mean and biased variance taken
    over ``axis`` of each sample; computed as keras does, ``x * inv + (beta - mean * inv)``
    with ``inv = rsqrt(var + epsilon) * gamma``. Same in training and inference.

    Args:
      axis: Integer or list of integers, the axes to normalize. Default -1.
      epsilon: Added to the variance. Default 1e-3.
      center: Add ``beta``. Default True.
      scale: Multiply by ``gamma``. Default True.
      beta_initializer: Default "zeros".
      gamma_initializer: Default "ones".
      beta_regularizer: Default None.
      gamma_regularizer: Default None.
      beta_constraint: Default None.
      gamma_constraint: Default None.
      **kwargs: ``name``, and ``rms_scaling``, keras's deprecated option (a warning, as
        keras): ``x * rsqrt(var + epsilon) * gamma``, no centring and no beta. Default False.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import LayerNormalization
      >>> print(LayerNormalization()(tf.constant([[1.0, 3.0]])).numpy().round(4))  # eps 1e-3
      [[-0.9995  0.9995]]
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
        rms_scaling = _validation.boolean(kwargs.pop("rms_scaling", False), "rms_scaling")
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.layers.RMSNormalization` instead.", stacklevel=2)
        if isinstance(axis, (list, tuple)):
            axis = [_int_axis(a) for a in axis]
        elif _validation.is_int(axis):
            axis = int(axis)
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.axis, self.rms_scaling = axis, rms_scaling

    @property
    def _with_gamma(self) -> bool:
        return self.scale or self.rms_scaling

    @property
    def _with_beta(self) -> bool:
        return self.center and not self.rms_scaling

    def _axes(self, rank: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return sorted(a % rank for a in axes) if rank else axes

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return self._affine_shapes(self._axis_dims(input_shape, sorted(axes)))

    def build(self, input_shape: tuple) -> None:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._build_affine(self._axis_dims(input_shape, sorted(axes)))
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        rank = inputs.shape.rank
        axes = self._axes(rank)
        mean, variance = tf.nn.moments(inputs, axes, keepdims=True)
        shape = [1] * rank
        for a in axes:
            shape[a] = inputs.shape[a]

        def broadcast(v: tf.Variable | None) -> Any:
            return v if v is None or axes == [rank - 1] else tf.reshape(v, shape)

        gamma, beta = broadcast(self.gamma), broadcast(self.beta)
        inv = tf.math.rsqrt(variance + self.epsilon)
        if self.rms_scaling:  # keras's formula: scaled by the variance, not centred
            return inputs * inv * gamma if gamma is not None else inputs * inv
        if gamma is not None:
            inv = inv * gamma
        res = -mean * inv
        if beta is not None:
            res = res + beta
        return inputs * inv + res

    def get_config(self) -> dict:
        return {**super().get_config(), "rms_scaling": self.rms_scaling}
