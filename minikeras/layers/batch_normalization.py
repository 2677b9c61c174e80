"""BatchNormalization: batch statistics when training, moving statistics after; keras's
optional ``mask`` (statistics over the unmasked entries) and batch renormalization."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation, initializers
from minikeras._registry import serialize_or_custom
from minikeras.layers.normalization import _AffineNorm, _int_axis

_CLIP_KEYS = ["rmax", "rmin", "dmax"]


def _renorm_clipping(clipping: Any) -> dict:
    """keras's checks of ``renorm_clipping`` (keys rmax, rmin, dmax), with its wording."""
    clipping = dict(clipping or {})
    if set(clipping) - set(_CLIP_KEYS):
        raise ValueError("Received invalid keys for `renorm_clipping` argument: "
                         f"{clipping}. Supported values: {_CLIP_KEYS}.")
    rmax, rmin, dmax = (clipping.get(k) for k in _CLIP_KEYS)
    if rmax is not None and rmin is not None and rmax < rmin:
        raise ValueError("rmax should be greater than rmin in the `renorm_clipping` "
                         f"argument. Received: rmax={rmax}, rmin={rmin}.")
    if dmax is not None and dmax < 0:
        raise ValueError("dmax should be non-negative in the `renorm_clipping` "
                         f"argument. Received: dmax={dmax}.")
    return clipping


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
      center: Add ``beta``. Default True.
      scale: Multiply by ``gamma``. Default True.
      beta_initializer: Default "zeros".
      gamma_initializer: Default "ones".
      moving_mean_initializer: Default "zeros".
      moving_variance_initializer: Default "ones".
      beta_regularizer: Default None.
      gamma_regularizer: Default None.
      beta_constraint: Default None.
      gamma_constraint: Default None.
      synchronized: All-reduce the batch statistics under `tf.distribute`. Default False.
      renorm: Batch renormalization (see `_renorm`), which adds the non-trainable weights
        moving_stddev, renorm_mean, renorm_stddev. Default False.
      renorm_clipping: dict of optional "rmax", "rmin", "dmax" bounding the corrections.
      renorm_momentum: Default 0.99.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import BatchNormalization
      >>> bn = BatchNormalization()
      >>> print(bn(tf.constant([[1.0], [3.0]]), training=True).numpy().round(4))  # eps 1e-3
      [[-0.9995]
       [ 0.9995]]
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", moving_mean_initializer: Any = "zeros",
                 moving_variance_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False,
                 renorm: bool = False, renorm_clipping: dict | None = None,
                 renorm_momentum: float = 0.99, **kwargs: Any):
        axis = _int_axis(axis)
        momentum = _validation.real(momentum, "momentum")
        synchronized = _validation.boolean(synchronized, "synchronized")
        renorm = _validation.boolean(renorm, "renorm")
        renorm_momentum = _validation.real(renorm_momentum, "renorm_momentum")
        if renorm:
            renorm_clipping = _renorm_clipping(renorm_clipping)
        super().__init__(epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint,
                         gamma_constraint, **kwargs)
        self.axis, self.momentum, self.synchronized = axis, momentum, synchronized
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm, self.renorm_clipping = renorm, renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.moving_mean: tf.Variable | None = None
        self.moving_variance: tf.Variable | None = None

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        shape = self._axis_dims(input_shape, [self.axis])
        renorm = [(n, shape) for n in ("moving_stddev", "renorm_mean", "renorm_stddev")]
        return self._affine_shapes(shape) + [("moving_mean", shape), ("moving_variance", shape)
                                             ] + (renorm if self.renorm else [])

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
        if self.renorm:  # the stddevs start at sqrt(moving_variance_initializer), as keras
            def stddev_initializer(shape: tuple, dtype: Any = None) -> tf.Tensor:
                return tf.sqrt(self.moving_variance_initializer(shape, dtype=dtype))

            self.moving_stddev = self.add_weight(shape=shape, initializer=stddev_initializer,
                                                 trainable=False, aggregation="mean",
                                                 name="moving_stddev")
            self.renorm_mean = self.add_weight(shape=shape,
                                               initializer=self.moving_mean_initializer,
                                               trainable=False, aggregation="mean",
                                               name="renorm_mean")
            self.renorm_stddev = self.add_weight(shape=shape, initializer=stddev_initializer,
                                                 trainable=False, aggregation="mean",
                                                 name="renorm_stddev")
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

    def _masked_moments(self, x: tf.Tensor, mask: Any, axes: list[int]) -> tuple:
        """keras's moments over the entries where ``mask`` (one dimension less than ``x``,
        broadcast along the last axis) is nonzero: ``sum / (count + 1e-7)``."""
        keep = tf.broadcast_to(tf.expand_dims(tf.cast(mask, tf.bool), -1), tf.shape(x))
        count = tf.reduce_sum(tf.cast(keep, x.dtype), axes, keepdims=True) + 1e-7
        mean = tf.reduce_sum(tf.where(keep, x, 0.0), axes, keepdims=True) / count
        squares = tf.square(tf.where(keep, x - mean, 0.0))
        return (tf.reshape(mean, [-1]),
                tf.reshape(tf.reduce_sum(squares, axes, keepdims=True) / count, [-1]))

    def _renorm(self, mean: tf.Tensor, variance: tf.Tensor, gamma: Any, beta: Any) -> tuple:
        """Batch renormalization (Ioffe, 2017) as keras: the output is
        ``((x - mean) / stddev * r + d) * gamma + beta`` with ``r = stddev / renorm_stddev``
        and ``d = (mean - renorm_mean) / renorm_stddev`` (clipped, no gradient); the renorm
        statistics move with ``renorm_momentum``, the inference ones with ``momentum``
        (``moving_variance = relu(moving_stddev^2 - epsilon)``). Returns gamma, beta."""
        stddev = tf.sqrt(variance + self.epsilon)
        renorm_stddev = tf.maximum(self.renorm_stddev, tf.sqrt(tf.cast(self.epsilon, tf.float32)))
        r, d = stddev / renorm_stddev, (mean - self.renorm_mean) / renorm_stddev
        clip = self.renorm_clipping
        if clip.get("rmin") is not None:
            r = tf.maximum(r, clip["rmin"])
        if clip.get("rmax") is not None:
            r = tf.minimum(r, clip["rmax"])
        if clip.get("dmax") is not None:
            d = tf.clip_by_value(d, -clip["dmax"], clip["dmax"])
        r, d = tf.stop_gradient(r), tf.stop_gradient(d)
        new_gamma, new_beta = (r, d) if gamma is None else (r * gamma, d * gamma)
        new_beta = new_beta if beta is None else new_beta + beta
        rm, m = self.renorm_momentum, self.momentum
        self.renorm_mean.assign(self.renorm_mean * rm + mean * (1.0 - rm))
        self.renorm_stddev.assign(self.renorm_stddev * rm + stddev * (1.0 - rm))
        self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
        moving_stddev = self.moving_stddev * m + stddev * (1.0 - m)
        self.moving_stddev.assign(moving_stddev)
        self.moving_variance.assign(tf.nn.relu(moving_stddev * moving_stddev - self.epsilon))
        return new_gamma, new_beta

    def call(self, inputs: tf.Tensor, training: bool | None = None,
             mask: Any = None) -> tf.Tensor:
        """Normalizes ``inputs``; with ``mask`` (shape ``inputs.shape[:-1]``), the batch
        statistics of training are taken over the unmasked entries only (keras)."""
        rank = inputs.shape.rank
        if mask is not None and len(mask.shape) != rank - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. "
                             f"Received: mask.shape={tuple(mask.shape)}, "
                             f"inputs.shape={tuple(inputs.shape)}")
        axis = self.axis % rank
        gamma, beta = self.gamma, self.beta
        if training and self.trainable:
            axes = [a for a in range(rank) if a != axis]
            mean, variance = (self._moments(inputs, axes) if mask is None
                              else self._masked_moments(inputs, mask, axes))
            if self.renorm:
                gamma, beta = self._renorm(mean, variance, gamma, beta)
            else:
                m = self.momentum
                self.moving_mean.assign(self.moving_mean * m + mean * (1.0 - m))
                self.moving_variance.assign(self.moving_variance * m + variance * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
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
                "synchronized": self.synchronized, "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping, "renorm_momentum": self.renorm_momentum}
