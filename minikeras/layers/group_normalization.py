"""GroupNormalization: each sample normalized over groups of channels (instance and layer
normalization as the two extremes)."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.layers.normalization import _AffineNorm, _int_axis


class GroupNormalization(_AffineNorm):
    """Normalizes each sample over groups of channels: ``groups`` groups along ``axis``.

    Channels are split into ``groups`` groups of ``C // groups``; each sample's group is
    normalized over its channels and every other non-batch axis,
    ``y = x * inv + (beta - mean * inv)`` with ``inv = rsqrt(var + epsilon) * gamma``
    (per channel gamma/beta). ``groups=-1`` is instance normalization; ``groups=1`` is layer
    normalization over all non-batch axes.

    Args:
      groups: Positive integer dividing the channel count, or -1. Default 32.
      axis: Integer, the channels axis. Default -1.
      epsilon: Added to the variance. Default 1e-3.
      center: Add ``beta``. Default True.
      scale: Multiply by ``gamma``. Default True.
      beta_initializer: Default "zeros".
      gamma_initializer: Default "ones".
      beta_regularizer: Default None.
      gamma_regularizer: Default None.
      beta_constraint: Default None.
      gamma_constraint: Default None.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GroupNormalization
      >>> GroupNormalization(groups=2)(tf.ones((1, 4))).shape
      TensorShape([1, 4])
    """

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
        if not _validation.is_int(groups) or (groups <= 0 and groups != -1):
            raise ValueError("Received an invalid value for argument `groups`, expected a "
                             "positive integer (or `-1` for instance normalization). "
                             f"Received: groups={groups}")
        axis = _int_axis(axis)
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.groups, self.axis = int(groups), axis

    def _channels(self, input_shape: tuple) -> int:
        (dim,) = self._axis_dims(input_shape, [self.axis])
        groups = dim if self.groups == -1 else self.groups
        if dim < groups:
            raise ValueError(f"Number of groups ({groups}) cannot be more than the number of "
                             f"channels ({dim}).")
        if dim % groups:
            raise ValueError(f"Number of groups ({groups}) must be a multiple of the number "
                             f"of channels ({dim}).")
        return dim

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        return self._affine_shapes((self._channels(input_shape),))

    def build(self, input_shape: tuple) -> None:
        dim = self._channels(input_shape)
        if self.groups == -1:
            self.groups = dim
        self._build_affine((dim,))
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        rank = inputs.shape.rank
        axis = self.axis % rank
        dims = tf.unstack(tf.shape(inputs))
        per_group = inputs.shape[axis] // self.groups
        group_shape = [-1] + dims[1:axis] + [self.groups, per_group] + dims[axis + 1:]
        x = tf.reshape(inputs, group_shape)
        reduce = [a for a in range(1, rank + 1) if a != axis]
        mean, variance = tf.nn.moments(x, reduce, keepdims=True)
        bshape = [1] * (rank + 1)
        bshape[axis], bshape[axis + 1] = self.groups, per_group
        inv = tf.math.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * tf.reshape(self.gamma, bshape)
        res = -mean * inv
        if self.beta is not None:
            res = res + tf.reshape(self.beta, bshape)
        return tf.reshape(x * inv + res, tf.shape(inputs))

    def get_config(self) -> dict:
        return {**super().get_config(), "groups": self.groups}
