"""Neural-network operations of keras.ops: activations, crossentropies, moments."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import activations
from minikeras.losses import functions as losses
from minikeras.ops.core import floatx_tensor as _f

relu, sigmoid, softplus, softsign = (activations.relu, activations.sigmoid,
                                     activations.softplus, activations.softsign)
silu = swish = activations.silu
elu, selu, hard_sigmoid = activations.elu, activations.selu, activations.hard_sigmoid


def relu6(x: Any) -> tf.Tensor:
    """``min(max(x, 0), 6)``."""
    return tf.nn.relu6(_f(x))


def gelu(x: Any, approximate: bool = True) -> tf.Tensor:
    """The Gaussian error linear unit (keras.ops's default is the tanh approximation)."""
    return tf.nn.gelu(_f(x), approximate=approximate)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> tf.Tensor:
    """``x`` if positive, else ``negative_slope * x``."""
    return tf.nn.leaky_relu(_f(x), alpha=negative_slope)


def softmax(x: Any, axis: int = -1) -> tf.Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return tf.nn.softmax(_f(x), axis=axis)


def log_softmax(x: Any, axis: int = -1) -> tf.Tensor:
    """``x - logsumexp(x)`` along ``axis``."""
    return tf.nn.log_softmax(_f(x), axis=axis)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> tf.Tensor:
    """Elementwise binary crossentropy (no mean over the last axis, unlike the loss)."""
    target, output = _f(target), _f(output)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = losses.EPSILON
    output = tf.clip_by_value(output, eps, 1.0 - eps)
    return -(target * tf.math.log(output) + (1 - target) * tf.math.log(1 - output))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                             axis: int = -1) -> tf.Tensor:
    """Crossentropy of one-hot (or soft) targets along ``axis``."""
    return losses.categorical_crossentropy(_f(target), _f(output), from_logits=from_logits,
                                           axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> tf.Tensor:
    """Crossentropy of integer targets along ``axis``."""
    return losses.sparse_categorical_crossentropy(target, _f(output), from_logits=from_logits,
                                                  axis=axis)


def moments(x: Any, axes: Any, keepdims: bool = False) -> tuple[tf.Tensor, tf.Tensor]:
    """Mean and (population) variance over ``axes``."""
    mean, variance = tf.nn.moments(_f(x), axes=axes, keepdims=keepdims)
    return mean, variance
