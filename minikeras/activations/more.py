"""keras 3's further activations (relu6, mish, hard_silu, celu, glu, sparsemax, the shrink
functions...), each computed with the TensorFlow ops keras's TF backend uses."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.activations.basic import _as_float, hard_sigmoid


def relu6(x: Any) -> tf.Tensor:
    """ReLU capped at 6: `relu6(x) = min(max(x, 0), 6)`.

    Example:
      >>> from minikeras.activations import relu6
      >>> relu6([-1.0, 3.0, 8.0]).numpy()
      array([0., 3., 6.], dtype=float32)
    """
    return tf.nn.relu6(_as_float(x))


def celu(x: Any, alpha: float = 1.0) -> tf.Tensor:
    """Continuously differentiable ELU: `celu(x) = max(x, 0) + alpha * expm1(min(x, 0) / alpha)`.

    Args:
      x: Input tensor.
      alpha: Scale of the negative part. Default 1.0.

    Example:
      >>> from minikeras.activations import celu
      >>> celu([0.0, 2.0]).numpy()
      array([0., 2.], dtype=float32)
    """
    x = _as_float(x)
    return tf.maximum(x, 0.0) + alpha * tf.math.expm1(tf.minimum(x, 0.0) / alpha)


def glu(x: Any, axis: int = -1) -> tf.Tensor:
    """Gated linear unit: the halves ``a, b`` of ``x`` along ``axis`` give `a * sigmoid(b)`.

    Args:
      x: Input tensor; its size along ``axis`` must be even.
      axis: The axis to split. Default -1.

    Example:
      >>> from minikeras.activations import glu
      >>> glu([[2.0, 0.0]]).numpy()
      array([[1.]], dtype=float32)
    """
    x = _as_float(x)
    if x.shape[axis] is not None and x.shape[axis] % 2:
        raise ValueError("axis size must be divisible by 2. "
                         f"Received: x.shape={x.shape} with axis={axis}")
    a, b = tf.split(x, num_or_size_splits=2, axis=axis)
    return a * tf.sigmoid(b)


def squareplus(x: Any, b: float = 4) -> tf.Tensor:
    """A smooth ReLU: `squareplus(x) = (x + sqrt(x^2 + b)) / 2`.

    Args:
      x: Input tensor.
      b: Smoothness (0 gives ReLU). Default 4.

    Example:
      >>> from minikeras.activations import squareplus
      >>> squareplus([0.0]).numpy()
      array([1.], dtype=float32)
    """
    x = _as_float(x)
    return (x + tf.sqrt(tf.square(x) + tf.convert_to_tensor(b, x.dtype))) / 2


def soft_shrink(x: Any, threshold: float = 0.5) -> tf.Tensor:
    """Soft shrinkage: `x - threshold` above it, `x + threshold` below its negative, else 0.

    Example:
      >>> from minikeras.activations import soft_shrink
      >>> soft_shrink([-1.0, 0.2, 1.0]).numpy()
      array([-0.5,  0. ,  0.5], dtype=float32)
    """
    x = _as_float(x)
    return tf.where(x > threshold, x - threshold,
                    tf.where(x < -threshold, x + threshold, tf.zeros_like(x)))


def hard_shrink(x: Any, threshold: float = 0.5) -> tf.Tensor:
    """Hard shrinkage: `x` where `|x| > threshold`, else 0.

    Example:
      >>> from minikeras.activations import hard_shrink
      >>> hard_shrink([-1.0, 0.2]).numpy()
      array([-1.,  0.], dtype=float32)
    """
    x = _as_float(x)
    return tf.where(tf.abs(x) > threshold, x, tf.zeros_like(x))


def tanh_shrink(x: Any) -> tf.Tensor:
    """`tanh_shrink(x) = x - tanh(x)`.

    Example:
      >>> from minikeras.activations import tanh_shrink
      >>> tanh_shrink([0.0]).numpy()
      array([0.], dtype=float32)
    """
    x = _as_float(x)
    return x - tf.math.tanh(x)


def sparse_plus(x: Any) -> tf.Tensor:
    """SparsePlus: 0 for x <= -1, `(x + 1)^2 / 4` for -1 < x < 1, x for x >= 1.

    Example:
      >>> from minikeras.activations import sparse_plus
      >>> sparse_plus([-2.0, 0.0, 2.0]).numpy()
      array([0.  , 0.25, 2.  ], dtype=float32)
    """
    x = _as_float(x)
    return tf.where(x <= -1, tf.zeros_like(x), tf.where(x < 1, (1 / 4) * tf.pow(x + 1, 2), x))


def sparse_sigmoid(x: Any) -> tf.Tensor:
    """Piecewise-linear sigmoid: 0 for x <= -1, 1 for x >= 1, `(x + 1) / 2` between.

    Example:
      >>> from minikeras.activations import sparse_sigmoid
      >>> sparse_sigmoid([-2.0, 0.0, 2.0]).numpy()
      array([0. , 0.5, 1. ], dtype=float32)
    """
    x = _as_float(x)
    return tf.where(x <= -1, tf.constant(0.0, x.dtype),
                    tf.where(x >= 1, tf.constant(1.0, x.dtype), 0.5 * (x + 1)))


def hard_silu(x: Any) -> tf.Tensor:
    """Hard SiLU (hard swish): `hard_silu(x) = x * hard_sigmoid(x) = x * relu6(x + 3) / 6`.

    Example:
      >>> from minikeras.activations import hard_silu
      >>> hard_silu([-4.0, 0.0, 4.0]).numpy()
      array([-0.,  0.,  4.], dtype=float32)
    """
    x = _as_float(x)
    return x * hard_sigmoid(x)


def hard_tanh(x: Any) -> tf.Tensor:
    """`hard_tanh(x) = clip(x, -1, 1)`.

    Example:
      >>> from minikeras.activations import hard_tanh
      >>> hard_tanh([-3.0, 0.5, 3.0]).numpy()
      array([-1. ,  0.5,  1. ], dtype=float32)
    """
    return tf.clip_by_value(_as_float(x), clip_value_min=-1.0, clip_value_max=1.0)


def mish(x: Any) -> tf.Tensor:
    """Mish: `mish(x) = x * tanh(softplus(x))`.

    Example:
      >>> from minikeras.activations import mish
      >>> mish([0.0]).numpy()
      array([0.], dtype=float32)
    """
    x = _as_float(x)
    return x * tf.math.tanh(tf.math.softplus(x))


def log_sigmoid(x: Any) -> tf.Tensor:
    """`log_sigmoid(x) = log(1 / (1 + exp(-x))) = -softplus(-x)`.

    Example:
      >>> from minikeras.activations import log_sigmoid
      >>> round(float(log_sigmoid([0.0])[0]), 4)
      -0.6931
    """
    return tf.math.log_sigmoid(_as_float(x))


def sparsemax(x: Any, axis: int = -1) -> tf.Tensor:
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    `sparsemax(x)_i = max(x_i - tau, 0)`, with `tau` chosen so the outputs sum to 1; unlike
    softmax, small entries become exactly 0.

    Args:
      x: Input tensor.
      axis: The axis to normalize over. Default -1.

    Example:
      >>> from minikeras.activations import sparsemax
      >>> sparsemax([[1.0, 2.0, 5.0]]).numpy()
      array([[0., 0., 1.]], dtype=float32)
    """
    logits = _as_float(x)
    ordered = tf.sort(logits, direction="DESCENDING", axis=axis)
    cumulative = tf.cumsum(ordered, axis=axis)
    ranks = tf.range(1, tf.shape(logits)[axis] + 1, dtype=logits.dtype)
    shape = [1] * len(logits.shape)
    shape[axis] = -1
    ranks = tf.reshape(ranks, shape)
    support = ordered - (cumulative - 1) / ranks > 0
    count = tf.reduce_sum(tf.cast(support, logits.dtype), axis=axis, keepdims=True)
    tau = (tf.reduce_sum(tf.where(support, cumulative, 0.0), axis=axis, keepdims=True) - 1) \
        / count
    return tf.maximum(logits - tau, 0.0)


def threshold(x: Any, threshold: float, default_value: float) -> tf.Tensor:
    """`threshold(x) = x` where `x > threshold`, else ``default_value``.

    Args:
      x: Input tensor.
      threshold: The cut-off.
      default_value: The value below (or at) it.

    Example:
      >>> from minikeras.activations import threshold
      >>> threshold([0.5, 2.0], 1.0, -1.0).numpy()
      array([-1.,  2.], dtype=float32)
    """
    x = _as_float(x)
    return tf.where(x > threshold, x, tf.convert_to_tensor(default_value, x.dtype))
