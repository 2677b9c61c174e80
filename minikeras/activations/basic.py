"""The classic activation functions (sigmoid, tanh, relu, softmax, elu, gelu...), each the
TensorFlow op keras's TF backend uses, so the results equal keras's."""
from __future__ import annotations

import warnings
from typing import Any

import tensorflow as tf

from minikeras._axes import over_axes
from minikeras._logits import keep_logits

_KIND = "activation function"


def _as_float(x: Any) -> tf.Tensor:
    """Converts `x` to a tensor, casting non-floating dtypes to float32."""
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, tf.float32)
    return x


def linear(x: Any) -> Any:
    """Identity activation: returns its input object unchanged.

    `linear(x) = x`. The very same object comes back (`linear(x) is x`), not a copy.

    Args:
      x: Anything.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.activations import linear
      >>> t = tf.constant([-1.0, 2.0]); linear(t) is t
      True
    """
    return x


def sigmoid(x: Any) -> tf.Tensor:
    """Logistic sigmoid.

    `sigmoid(x) = 1 / (1 + exp(-x))`, in (0, 1).

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import sigmoid
      >>> sigmoid([0.0]).numpy()
      array([0.5], dtype=float32)
    """
    x = _as_float(x)
    output = tf.math.sigmoid(x)
    keep_logits(output, x)
    return output


def tanh(x: Any) -> tf.Tensor:
    """Hyperbolic tangent.

    `tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))`, in (-1, 1).

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import tanh
      >>> tanh([0.0]).numpy()
      array([0.], dtype=float32)
    """
    return tf.math.tanh(_as_float(x))


def relu(
    x: Any,
    negative_slope: float = 0.0,
    max_value: float | None = None,
    threshold: float = 0.0,
) -> tf.Tensor:
    """Rectified linear unit, optionally leaky, capped and shifted.

    With the defaults, `relu(x) = max(x, 0)`. In general (as keras computes it)::

        pos = x if x > threshold else 0        # max(x, 0) when threshold == 0
        pos = clip(pos, 0, max_value)          # only when max_value is given
        relu(x) = pos - negative_slope * max(threshold - x, 0)

    Args:
      x: Input tensor.
      negative_slope: Slope below the threshold. Default 0.0.
      max_value: Saturation value, or None (default) for no cap.
      threshold: Values at or below it are zeroed (before the leaky part). Default 0.0.

    Example:
      >>> from minikeras.activations import relu
      >>> relu([-2.0, 1.0, 8.0], max_value=6.0).numpy()
      array([0., 1., 6.], dtype=float32)
    """
    x = _as_float(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return tf.nn.leaky_relu(x, alpha=negative_slope)
    if threshold != 0:
        pos = tf.where(x > tf.cast(threshold, x.dtype), x, tf.zeros_like(x))
    else:
        pos = tf.nn.relu(x)
    if max_value is not None:
        pos = tf.clip_by_value(pos, tf.cast(0.0, x.dtype), tf.cast(max_value, x.dtype))
    if negative_slope != 0.0:
        below = -x + threshold if threshold != 0 else -x
        pos = pos - negative_slope * tf.nn.relu(below)
    return pos


def softmax(x: Any, axis: int | tuple = -1) -> tf.Tensor:
    """Softmax: exponentials normalised to sum to 1 along `axis`.

    `softmax(x)_i = exp(x_i) / sum_j exp(x_j)` (computed stably, shifting by the max).

    Args:
      x: Input tensor.
      axis: Axis to normalise over, or a tuple of axes normalised jointly (as keras).
        Default -1.

    Example:
      >>> from minikeras.activations import softmax
      >>> softmax([[0.0, 0.0]]).numpy()
      array([[0.5, 0.5]], dtype=float32)
    """
    x = _as_float(x)
    rank = x.shape.rank
    if isinstance(axis, (tuple, list)):
        output = over_axes(tf.nn.softmax, x, tuple(axis))
        keep_logits(output, x)
        return output
    if rank is not None and -rank <= axis < rank and x.shape[axis] == 1:
        warnings.warn(
            f"softmax over axis {axis} of a tensor of shape {x.shape}: that axis has size 1, "
            "so the output is always 1. Did you mean sigmoid?",
            stacklevel=2,
        )
    output = tf.nn.softmax(x, axis=axis)
    keep_logits(output, x)
    return output


def log_softmax(x: Any, axis: int | tuple = -1) -> tf.Tensor:
    """Log of the softmax: ``x_i - log(sum_j exp(x_j))`` along ``axis`` (``tf.nn.log_softmax``).

    Args:
      x: Input tensor.
      axis: Axis, or tuple of axes normalised jointly. Default -1.

    Example:
      >>> from minikeras.activations import log_softmax
      >>> log_softmax([[0.0, 0.0]]).numpy()
      array([[-0.6931472, -0.6931472]], dtype=float32)
    """
    x = _as_float(x)
    if isinstance(axis, (tuple, list)):
        return over_axes(tf.nn.log_softmax, x, tuple(axis))
    return tf.nn.log_softmax(x, axis=axis)


def elu(x: Any, alpha: float = 1.0) -> tf.Tensor:
    """Exponential linear unit.

    `elu(x) = x if x > 0 else alpha * (exp(x) - 1)`.

    Args:
      x: Input tensor.
      alpha: Scale of the negative part. Default 1.0.

    Example:
      >>> from minikeras.activations import elu
      >>> elu([0.0, 2.0]).numpy()
      array([0., 2.], dtype=float32)
    """
    x = _as_float(x)
    out = tf.nn.elu(x)
    if alpha == 1:
        return out
    return tf.where(x > 0, out, alpha * out)


def selu(x: Any) -> tf.Tensor:
    """Scaled exponential linear unit.

    `selu(x) = scale * (x if x > 0 else alpha * (exp(x) - 1))` with
    alpha = 1.67326324 and scale = 1.05070098 (Klambauer et al., 2017).

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import selu
      >>> selu([0.0]).numpy()
      array([0.], dtype=float32)
    """
    return tf.nn.selu(_as_float(x))


def softplus(x: Any) -> tf.Tensor:
    """Softplus, a smooth ReLU.

    `softplus(x) = log(1 + exp(x))`.

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import softplus
      >>> softplus([0.0]).numpy()
      array([0.6931472], dtype=float32)
    """
    return tf.math.softplus(_as_float(x))


def softsign(x: Any) -> tf.Tensor:
    """Softsign.

    `softsign(x) = x / (1 + |x|)`.

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import softsign
      >>> softsign([1.0]).numpy()
      array([0.5], dtype=float32)
    """
    return tf.nn.softsign(_as_float(x))


def silu(x: Any) -> tf.Tensor:
    """Sigmoid linear unit, also called swish.

    `silu(x) = x * sigmoid(x)`.

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import silu
      >>> silu([0.0]).numpy()
      array([0.], dtype=float32)
    """
    return tf.nn.silu(_as_float(x))


swish = silu


def gelu(x: Any, approximate: bool = False) -> tf.Tensor:
    """Gaussian error linear unit.

    Exact (default): `gelu(x) = x * P(X <= x) = 0.5 * x * (1 + erf(x / sqrt(2)))`.
    approximate=True: `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))`.

    Args:
      x: Input tensor.
      approximate: Whether to use the tanh approximation. Default False.

    Example:
      >>> from minikeras.activations import gelu
      >>> gelu([0.0]).numpy()
      array([0.], dtype=float32)
    """
    return tf.nn.gelu(_as_float(x), approximate=approximate)


def leaky_relu(x: Any, negative_slope: float = 0.2) -> tf.Tensor:
    """Leaky ReLU.

    `leaky_relu(x) = x if x >= 0 else negative_slope * x`.

    Args:
      x: Input tensor.
      negative_slope: Slope for negative inputs. Default 0.2 (the keras LeakyReLU
        *layer* defaults to 0.3; this function, like keras's, to 0.2).

    Example:
      >>> from minikeras.activations import leaky_relu
      >>> leaky_relu([-1.0, 1.0]).numpy()
      array([-0.2,  1. ], dtype=float32)
    """
    return tf.nn.leaky_relu(_as_float(x), alpha=negative_slope)


def hard_sigmoid(x: Any) -> tf.Tensor:
    """Hard sigmoid, a piecewise-linear sigmoid (keras 3's definition).

    `hard_sigmoid(x) = relu6(x + 3) / 6`: 0 for x <= -3, 1 for x >= 3, x / 6 + 0.5 between.
    (Keras 2 used slope 0.2 and cut-offs at +-2.5; keras 3 changed it.)

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import hard_sigmoid
      >>> hard_sigmoid([-4.0, 0.0, 4.0]).numpy()
      array([0. , 0.5, 1. ], dtype=float32)
    """
    x = _as_float(x)
    return tf.nn.relu6(x + tf.constant(3.0, x.dtype)) / tf.constant(6.0, x.dtype)


def exponential(x: Any) -> tf.Tensor:
    """Exponential.

    `exponential(x) = exp(x)`.

    Args:
      x: Input tensor.

    Example:
      >>> from minikeras.activations import exponential
      >>> exponential([0.0]).numpy()
      array([1.], dtype=float32)
    """
    return tf.math.exp(_as_float(x))
