"""NumPy-style operations on tensors, with keras.ops's names, arguments and defaults.

Each is the TensorFlow op keras's TensorFlow backend uses for it; integer inputs to
floating-point maths (``mean``, ``sqrt``, ``exp``...) are computed in ``backend.floatx()``.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import backend
from minikeras.ops.core import convert_to_tensor as _t
from minikeras.ops.core import floatx_tensor as _f


def _pair(x1: Any, x2: Any) -> tuple[tf.Tensor, tf.Tensor]:
    """Both operands in one dtype: a Python number takes the tensor's dtype (as in keras)."""
    a = x1 if isinstance(x1, tf.Tensor | tf.Variable) else None
    b = x2 if isinstance(x2, tf.Tensor | tf.Variable) else None
    if a is None and b is not None:
        return tf.convert_to_tensor(x1, dtype=b.dtype), _t(x2)
    if b is None and a is not None:
        return _t(x1), tf.convert_to_tensor(x2, dtype=a.dtype)
    x1, x2 = _t(x1), _t(x2)
    if x1.dtype != x2.dtype:
        wider = x1.dtype if x1.dtype.is_floating else x2.dtype
        x1, x2 = tf.cast(x1, wider), tf.cast(x2, wider)
    return x1, x2


def _binary(op: Any) -> Any:
    def apply(x1: Any, x2: Any) -> tf.Tensor:
        return op(*_pair(x1, x2))
    apply.__name__ = op.__name__
    apply.__doc__ = f"Elementwise ``{op.__name__}`` of ``x1`` and ``x2`` (broadcast)."
    return apply


def _unary_float(op: Any, name: str) -> Any:
    def apply(x: Any) -> tf.Tensor:
        return op(_f(x))
    apply.__name__ = name
    apply.__doc__ = f"Elementwise ``{name}``; integers are computed in floatx."
    return apply


add, subtract, multiply = _binary(tf.add), _binary(tf.subtract), _binary(tf.multiply)
maximum, minimum, power = _binary(tf.maximum), _binary(tf.minimum), _binary(tf.pow)
equal, not_equal = _binary(tf.equal), _binary(tf.not_equal)
greater, greater_equal = _binary(tf.greater), _binary(tf.greater_equal)
less, less_equal = _binary(tf.less), _binary(tf.less_equal)
logical_and, logical_or = _binary(tf.logical_and), _binary(tf.logical_or)
sqrt, exp, log = (_unary_float(tf.sqrt, "sqrt"), _unary_float(tf.exp, "exp"),
                  _unary_float(tf.math.log, "log"))
log1p, sin, cos = (_unary_float(tf.math.log1p, "log1p"), _unary_float(tf.sin, "sin"),
                   _unary_float(tf.cos, "cos"))
tanh = _unary_float(tf.tanh, "tanh")


def divide(x1: Any, x2: Any) -> tf.Tensor:
    """``x1 / x2`` elementwise; integers are divided in floatx."""
    x1, x2 = _pair(x1, x2)
    if not x1.dtype.is_floating:
        x1, x2 = tf.cast(x1, backend.floatx()), tf.cast(x2, backend.floatx())
    return tf.divide(x1, x2)


def negative(x: Any) -> tf.Tensor:
    """``-x``."""
    return tf.negative(_t(x))


def abs(x: Any) -> tf.Tensor:  # noqa: A001 - keras's name
    """``|x|`` elementwise."""
    return tf.abs(_t(x))


absolute = abs


def square(x: Any) -> tf.Tensor:
    """``x * x`` elementwise."""
    return tf.square(_t(x))


def sign(x: Any) -> tf.Tensor:
    """-1, 0 or 1 elementwise."""
    return tf.sign(_t(x))


def floor(x: Any) -> tf.Tensor:
    """Rounds down; integers are computed in floatx."""
    return tf.floor(_f(x))


def ceil(x: Any) -> tf.Tensor:
    """Rounds up; integers are computed in floatx."""
    return tf.math.ceil(_f(x))


def round(x: Any, decimals: int = 0) -> tf.Tensor:  # noqa: A001 - keras's name
    """Rounds half to even (NumPy's rule) to ``decimals`` places."""
    x = _t(x)
    if decimals == 0:
        return tf.round(x)
    factor = tf.cast(10.0 ** decimals, x.dtype)
    return tf.round(x * factor) / factor


def clip(x: Any, x_min: Any, x_max: Any) -> tf.Tensor:
    """``min(max(x, x_min), x_max)`` elementwise."""
    x = _t(x)
    return tf.clip_by_value(x, tf.cast(x_min, x.dtype), tf.cast(x_max, x.dtype))


def where(condition: Any, x1: Any = None, x2: Any = None) -> tf.Tensor:
    """``x1`` where ``condition`` holds, else ``x2``; with one argument, the indices where it
    holds (one row per axis)."""
    condition = tf.cast(_t(condition), tf.bool)
    if x1 is None and x2 is None:
        return tuple(tf.unstack(tf.cast(tf.transpose(tf.where(condition)), tf.int32), axis=0))
    return tf.where(condition, *_pair(x1, x2))


def logical_not(x: Any) -> tf.Tensor:
    """Elementwise not."""
    return tf.logical_not(tf.cast(_t(x), tf.bool))


def isnan(x: Any) -> tf.Tensor:
    """Where ``x`` is NaN (never, for integers)."""
    x = _t(x)
    return tf.math.is_nan(x) if x.dtype.is_floating else tf.zeros_like(x, tf.bool)


def isfinite(x: Any) -> tf.Tensor:
    """Where ``x`` is neither NaN nor infinite (always, for integers)."""
    x = _t(x)
    return tf.math.is_finite(x) if x.dtype.is_floating else tf.ones_like(x, tf.bool)


# ---- reductions ----------------------------------------------------------------------------
def _reduce(op: Any, name: str, to_float: bool = False) -> Any:
    def apply(x: Any, axis: Any = None, keepdims: bool = False) -> tf.Tensor:
        x = _f(x) if to_float else _t(x)
        if x.dtype == tf.bool and name in ("sum", "prod"):
            x = tf.cast(x, tf.int32)
        return op(x, axis=axis, keepdims=keepdims)
    apply.__name__ = name
    apply.__doc__ = f"The {name} over ``axis`` (all axes if None), keeping them if ``keepdims``."
    return apply


sum = _reduce(tf.reduce_sum, "sum")  # noqa: A001 - keras's name
prod = _reduce(tf.reduce_prod, "prod")
max = _reduce(tf.reduce_max, "max")  # noqa: A001 - keras's name
min = _reduce(tf.reduce_min, "min")  # noqa: A001 - keras's name
amax, amin = max, min
mean = _reduce(tf.reduce_mean, "mean", to_float=True)
std = _reduce(tf.math.reduce_std, "std", to_float=True)
var = _reduce(tf.math.reduce_variance, "var", to_float=True)
logsumexp = _reduce(tf.reduce_logsumexp, "logsumexp", to_float=True)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Whether any element (over ``axis``) is true."""
    return tf.reduce_any(tf.cast(_t(x), tf.bool), axis=axis, keepdims=keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A001
    """Whether every element (over ``axis``) is true."""
    return tf.reduce_all(tf.cast(_t(x), tf.bool), axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> tf.Tensor:
    """The index of the largest value along ``axis`` (of the flattened tensor if None)."""
    return _arg(tf.argmax, x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> tf.Tensor:
    """The index of the smallest value along ``axis`` (of the flattened tensor if None)."""
    return _arg(tf.argmin, x, axis, keepdims)


def _arg(op: Any, x: Any, axis: int | None, keepdims: bool) -> tf.Tensor:
    x = _t(x)
    if axis is None:
        out = op(tf.reshape(x, [-1]), output_type=tf.int32)
        return tf.reshape(out, [1] * x.shape.rank) if keepdims else out
    out = op(x, axis=axis, output_type=tf.int32)
    return tf.expand_dims(out, axis) if keepdims else out


def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> tf.Tensor:
    """Running sums along ``axis`` (of the flattened tensor if None)."""
    x = _t(x) if dtype is None else tf.cast(_t(x), dtype)
    return tf.cumsum(tf.reshape(x, [-1]) if axis is None else x, axis=0 if axis is None else axis)
