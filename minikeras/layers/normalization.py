"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization."""
from __future__ import annotations

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
                    f"Layer '{self.name}' ({type(self).__name__}): axis {a} is out of bounds "
                    f"for input shape {tuple(input_shape)} (the batch axis cannot be "
                    f"normalized). Received: axis={self.axis}")
            if input_shape[a] is None:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): axis {a} of the input must "
                    f"have a known size. Received input_shape={tuple(input_shape)}")
            dims.append(int(input_shape[a]))
        return tuple(dims)

    def _affine_shapes(self, shape: tuple) -> list[tuple[str, tuple]]:
        return ([("gamma", shape)] if self.scale else []) + (
            [("beta", shape)] if self.center else [])

    def _build_affine(self, shape: tuple) -> None:
        if self.scale:
            self.gamma = self.add_weight(shape=shape, initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, name="gamma")
        if self.center:
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


class BatchNormalization(_AffineNorm):
    """Normalizes each feature with the batch's statistics when training, the moving ones after.

    Training (``training=True`` and the layer trainable), over every axis but ``axis``:
    ``y = (x - mean_B) / sqrt(var_B + epsilon) * gamma + beta`` with the batch mean and the
    *biased* batch variance, and then
    ``moving_mean = moving_mean * momentum + mean_B * (1 - momentum)`` (likewise
    ``moving_variance`` with var_B). Inference (``training`` False or None, or
    ``trainable=False``, which freezes the layer into inference mode as in keras) uses
    ``moving_mean`` and ``moving_variance`` instead. `fit` calls the model with training=True;
    `predict` and `evaluate` with False.

    Weights, in order: gamma, beta (trainable), moving_mean, moving_variance (non-trainable,
    ``aggregation="mean"``).

    Under `tf.distribute` minikeras does what keras's TensorFlow backend does with the default
    ``synchronized=False``: each replica normalizes its own slice of the batch with that
    slice's statistics (so results depend on the per-replica batch size), and the replicas'
    moving-statistics updates are averaged (``aggregation="mean"``), so all replicas hold the
    same moving statistics (keras 3.15.1 creates them with aggregation "none": each replica
    keeps its own copy, the copies drift apart, and `get_weights` reads replica 0's; minikeras's
    value is the mean of keras's copies). With
    ``synchronized=True`` the batch statistics are all-reduced across replicas first
    (``E[x]`` and ``E[x^2] - E[x]^2`` over the global batch), as keras does.

    Args:
      axis: Integer, the features axis. Default -1.
      momentum: Momentum of the moving averages. Default 0.99.
      epsilon: Added to the variance. Default 1e-3.
      center: Add ``beta``. Default True. scale: Multiply by ``gamma``. Default True.
      beta_initializer "zeros", gamma_initializer "ones", moving_mean_initializer "zeros",
      moving_variance_initializer "ones"; beta/gamma regularizers and constraints (None).
      synchronized: All-reduce the batch statistics under `tf.distribute`. Default False.

    Example:
      >>> bn = BatchNormalization()
      >>> bn(tf.constant([[1.0], [3.0]]), training=True).numpy().round(3)
      array([[-0.999], [ 0.999]], dtype=float32)
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False, **kwargs: Any):
        axis = _int_axis(axis)
        momentum = _validation.real(momentum, "momentum")
        synchronized = _validation.boolean(synchronized, "synchronized")
        for key in ("renorm", "renorm_clipping", "renorm_momentum"):
            if kwargs.get(key) not in (None, False, 0.99):
                raise ValueError(f"minikeras BatchNormalization does not support `{key}`. "
                                 f"Received: {key}={kwargs[key]!r}")
            kwargs.pop(key, None)
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.axis, self.momentum, self.synchronized = axis, momentum, synchronized
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean: tf.Variable | None = None
        self.moving_variance: tf.Variable | None = None

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        shape = self._axis_dims(input_shape, [self.axis])
        return self._affine_shapes(shape) + [("moving_mean", shape), ("moving_variance", shape)]

    def build(self, input_shape: tuple) -> None:
        shape = self._axis_dims(input_shape, [self.axis])
        self._build_affine(shape)
        self.moving_mean = self.add_weight(shape=shape,
                                           initializer=self.moving_mean_initializer,
                                           trainable=False, aggregation="mean",
                                           name="moving_mean")
        self.moving_variance = self.add_weight(shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False, aggregation="mean",
                                               name="moving_variance")
        self.built = True

    def _moments(self, x: tf.Tensor, axes: list[int]) -> tuple[tf.Tensor, tf.Tensor]:
        ctx = tf.distribute.get_replica_context() if self.synchronized else None
        if ctx is None or ctx.num_replicas_in_sync == 1:
            return tf.nn.moments(x, axes)
        total = ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.reduce_sum(x, axes))
        squares = ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.reduce_sum(tf.square(x), axes))
        count = ctx.all_reduce(tf.distribute.ReduceOp.SUM,
                               tf.reduce_sum(tf.ones_like(x), axes))
        mean = tf.math.divide_no_nan(total, count)
        return mean, tf.maximum(tf.math.divide_no_nan(squares, count) - tf.square(mean), 0.0)

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        rank = inputs.shape.rank
        axis = self.axis % rank
        if training and self.trainable:
            mean, variance = self._moments(inputs, [a for a in range(rank) if a != axis])
            m = self.momentum
            self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
            self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        gamma, beta = self.gamma, self.beta
        if axis != rank - 1:
            shape = [1] * rank
            shape[axis] = -1
            mean, variance = tf.reshape(mean, shape), tf.reshape(variance, shape)
            gamma = None if gamma is None else tf.reshape(gamma, shape)
            beta = None if beta is None else tf.reshape(beta, shape)
        return tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, self.epsilon)

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": serialize_or_custom(self.moving_mean_initializer,
                                                               initializers.serialize),
                "moving_variance_initializer": serialize_or_custom(
                    self.moving_variance_initializer, initializers.serialize),
                "synchronized": self.synchronized}


class LayerNormalization(_AffineNorm):
    """Normalizes each sample over ``axis`` (its features), independently of the batch.

    ``y = (x - mean) * rsqrt(var + epsilon) * gamma + beta``, mean and biased variance taken
    over ``axis`` of each sample; computed as keras does, ``x * inv + (beta - mean * inv)``
    with ``inv = rsqrt(var + epsilon) * gamma``. Same in training and inference.

    Args:
      axis: Integer or list of integers, the axes to normalize. Default -1.
      epsilon: Default 1e-3. center, scale: Default True.
      beta_initializer "zeros", gamma_initializer "ones"; regularizers, constraints None.

    Example:
      >>> LayerNormalization()(tf.constant([[1.0, 3.0]])).numpy().round(3)
      array([[-0.999,  0.999]], dtype=float32)
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs: Any):
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
        self.axis = axis

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
        if gamma is not None:
            inv = inv * gamma
        res = -mean * inv
        if beta is not None:
            res = res + beta
        return inputs * inv + res


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
      epsilon 1e-3, center True, scale True, initializers "zeros"/"ones", regularizers and
      constraints None.

    Example:
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
