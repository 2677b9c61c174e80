"""Per-sample loss functions: each returns the loss of every sample (last axis reduced).

Numerics follow keras 3 on TensorFlow (float32, epsilon 1e-7, clipping before the log).
The three crossentropies take an optional keyword ``logits=``: see `minikeras.losses`.
"""
from __future__ import annotations

import warnings
from typing import Any

import tensorflow as tf

from minikeras._reduce import reduce_mean

EPSILON = 1e-7  # keras.backend.epsilon()


# --------------------------------------------------------------------------- shapes


def squeeze_or_expand_to_same_rank(x1: tf.Tensor, x2: tf.Tensor, expand_rank_1: bool = True
                                   ) -> tuple[tf.Tensor, tf.Tensor]:
    """Makes ranks that differ by one agree, as keras does before comparing two tensors.

    A trailing axis of size 1 on the higher-rank tensor is matched by expanding the other
    when it has rank 1 (so ``(n,)`` vs ``(n, 1)`` becomes ``(n, 1)`` vs ``(n, 1)``), and
    squeezed otherwise. Anything else is left alone.

    Args:
      x1, x2: Tensors (of known rank).
      expand_rank_1: Whether a rank-1 tensor is expanded rather than the other squeezed.
        Default True.

    Returns:
      ``(x1, x2)``, possibly reshaped.
    """
    r1, r2 = x1.shape.rank, x2.shape.rank
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = tf.expand_dims(x2, -1)
        else:
            x1 = tf.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = tf.expand_dims(x1, -1)
        else:
            x2 = tf.squeeze(x2, -1)
    return x1, x2


def _as_float(x) -> tf.Tensor:
    """Converts to a tensor; non-float inputs become float32 (floats keep their dtype)."""
    x = tf.convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, tf.float32)


def _check_broadcastable(y_true, y_pred) -> None:
    try:
        tf.broadcast_static_shape(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError(
            "`y_true` and `y_pred` have incompatible shapes. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        ) from None


def _check_same_shape(y_true, y_pred) -> None:
    same = y_true.shape.rank == y_pred.shape.rank and all(
        a is None or b is None or a == b for a, b in zip(y_true.shape, y_pred.shape)
    )
    if not same:
        raise ValueError(
            "`y_true` and `y_pred` must have the same shape. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )


def _logits_like(logits, y_pred, fn_name: str, from_logits: bool):
    """The explicit counterpart of keras's `_get_logits` (see the module docstring)."""
    if from_logits:
        warnings.warn(
            f"`{fn_name}` received `from_logits=True` and `logits`: `y_pred` came from "
            "a sigmoid/softmax, so it is not logits. Using `logits`.",
            stacklevel=3,
        )
    return tf.cast(logits, y_pred.dtype)


# ------------------------------------------------------------- per-sample functions


def mean_squared_error(y_true: Any, y_pred: Any) -> tf.Tensor:
    """Mean squared error per sample: ``mean((y_true - y_pred)**2, axis=-1)``.

    Example:
      >>> from minikeras.losses import mean_squared_error
      >>> print(mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]).numpy().round(4))
      [0.5 0.5]
    """
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(y_true, y_pred)
    return reduce_mean(tf.square(y_true - y_pred), -1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> tf.Tensor:
    """Mean absolute error per sample: ``mean(|y_true - y_pred|, axis=-1)``."""
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(y_true, y_pred)
    return reduce_mean(tf.abs(y_true - y_pred), -1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> tf.Tensor:
    """Huber loss per sample: quadratic for small errors, linear beyond ``delta``.

    With ``e = y_pred - y_true``:
    ``mean(where(|e| <= delta, e**2 / 2, delta * |e| - delta**2 / 2), axis=-1)``.

    Args:
      delta: Where the loss turns linear. Default 1.0.
    """
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(y_true, y_pred)
    delta = tf.cast(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = tf.abs(error)
    half = tf.constant(0.5, y_pred.dtype)
    per_element = tf.where(
        abs_error <= delta, half * tf.square(error), delta * abs_error - half * tf.square(delta)
    )
    return reduce_mean(per_element, -1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1,
                        *, logits: tf.Tensor | None = None) -> tf.Tensor:
    """Binary crossentropy, averaged over ``axis``.

    Probabilities: ``p = clip(y_pred, eps, 1 - eps); -(y log p + (1 - y) log(1 - p))``.
    Logits (``from_logits=True``, or ``logits`` given): ``sigmoid_cross_entropy_with_logits``.
    Label smoothing first: ``y = y * (1 - s) + s / 2``. y_true and y_pred must have the
    same shape (as keras's function form; `BinaryCrossentropy` expands ``(n,)`` first).

    Args:
      from_logits: Whether ``y_pred`` holds logits. Default False.
      label_smoothing: Float in [0, 1]. Default 0.
      axis: Axis averaged over. Default -1.
      logits: Optional pre-sigmoid tensor of ``y_pred``; when given it is used instead.
    """
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    _check_same_shape(y_true, y_pred)
    if logits is not None:
        y_pred, from_logits = _logits_like(logits, y_pred, "binary_crossentropy", from_logits), True
    if from_logits:
        per_element = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
    else:
        p = tf.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON)
        bce = y_true * tf.math.log(p)
        bce += (1 - y_true) * tf.math.log(1 - p)
        per_element = -bce
    return reduce_mean(per_element, axis)


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1,
                             *, logits: tf.Tensor | None = None) -> tf.Tensor:
    """Categorical crossentropy over ``axis`` with one-hot (or soft) targets.

    Probabilities: ``p = y_pred / sum(y_pred, axis); p = clip(p, eps, 1 - eps);
    -sum(y log p, axis)``. Logits: ``softmax_cross_entropy_with_logits``.
    Label smoothing first: ``y = y * (1 - s) + s / num_classes``.

    Args:
      from_logits: Whether ``y_pred`` holds logits. Default False.
      label_smoothing: Float in [0, 1]. Default 0.
      axis: The class axis. Default -1.
      logits: Optional pre-softmax tensor of ``y_pred``; when given it is used instead.
    """
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis}")
    y_pred = _as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_crossentropy, expected y_pred.shape to be "
            f"(batch_size, num_classes) with num_classes > 1. Received: "
            f"y_pred.shape={y_pred.shape}. Consider using 'binary_crossentropy'.",
            SyntaxWarning,
            stacklevel=2,
        )
    if label_smoothing:
        num_classes = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    if not y_true.shape.rank:
        raise ValueError(
            "`y_true` and `y_pred` must be at least rank 1. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    _check_same_shape(y_true, y_pred)
    if logits is not None:
        y_pred = _logits_like(logits, y_pred, "categorical_crossentropy", from_logits)
        from_logits = True
    if from_logits:
        return tf.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    p = y_pred / tf.reduce_sum(y_pred, axis, keepdims=True)
    p = tf.clip_by_value(p, EPSILON, 1.0 - EPSILON)
    return -tf.reduce_sum(y_true * tf.math.log(p), axis)


def check_ignore_class(ignore_class: Any) -> int | None:
    """``ignore_class`` as an int, or None; anything else is a TypeError."""
    from minikeras._validation import optional_int

    return optional_int(ignore_class, "ignore_class")


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1,
                                    *, logits: tf.Tensor | None = None) -> tf.Tensor:
    """Categorical crossentropy with integer targets of shape ``(n,)`` or ``(n, 1)``.

    Probabilities: ``sparse_softmax_cross_entropy_with_logits(y, log(clip(y_pred)))``.
    Logits: ``sparse_softmax_cross_entropy_with_logits(y, logits)``. Float labels are
    truncated to int64 (use `SparseCategoricalCrossentropy.check_targets` to catch them).
    With ``ignore_class=c`` (keras's rule): where ``y == c`` the label becomes 0 and the
    prediction 0 before the crossentropy, and the result there is 0.

    Args:
      from_logits: Whether ``y_pred`` holds logits. Default False.
      ignore_class: Optional integer label whose elements get loss 0. Default None.
      axis: Must be the last axis (as keras on TensorFlow).
      logits: Optional pre-softmax tensor of ``y_pred``; when given it is used instead.
    """
    ignore_class = check_ignore_class(ignore_class)
    y_pred = _as_float(y_pred)
    y_true = tf.convert_to_tensor(y_true)
    rank = y_pred.shape.rank
    if axis != -1 and axis != rank - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    if y_true.shape.rank == rank and y_true.shape[-1] == 1:
        y_true = tf.squeeze(y_true, -1)
    same = y_true.shape.rank == rank - 1 and all(
        a is None or b is None or a == b for a, b in zip(y_true.shape, y_pred.shape[:-1])
    )
    if not same:
        raise ValueError(
            "`y_true` must have the shape of `y_pred` without its last (class) axis. "
            f"Received: y_true.shape={y_true.shape}, y_pred.shape={y_pred.shape}"
        )
    if logits is not None:
        y_pred = _logits_like(logits, y_pred, "sparse_categorical_crossentropy", from_logits)
        from_logits = True
    valid = None
    if ignore_class is not None:
        valid = tf.not_equal(tf.cast(y_true, y_pred.dtype), tf.cast(ignore_class, y_pred.dtype))
        y_true = tf.where(valid, y_true, tf.zeros_like(y_true))
        y_pred = tf.where(valid[..., None], y_pred, tf.zeros_like(y_pred))
    labels = tf.cast(y_true, tf.int64)
    if not from_logits:
        y_pred = tf.math.log(tf.clip_by_value(y_pred, EPSILON, 1 - EPSILON))
    result = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)
    if valid is not None:
        result = tf.where(valid, result, tf.zeros_like(result))
    return result


# The functions that accept `logits=`; `LossFunctionWrapper` passes it only to these
# (`focal` adds binary_focal_crossentropy).
LOGITS_FUNCTIONS = {binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy}

# Names accepted by `minikeras.losses.get` for functions: keras's `losses.ALL_OBJECTS_DICT`.
FUNCTIONS = {
    fn.__name__: fn
    for fn in (mean_squared_error, mean_absolute_error, huber, binary_crossentropy,
               categorical_crossentropy, sparse_categorical_crossentropy)
}
FUNCTIONS.update({"mse": mean_squared_error, "MSE": mean_squared_error,
                  "mae": mean_absolute_error, "MAE": mean_absolute_error,
                  "bce": binary_crossentropy, "BCE": binary_crossentropy})
