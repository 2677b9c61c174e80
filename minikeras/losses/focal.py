"""Focal crossentropies (keras's ``binary_focal_crossentropy`` and
``categorical_focal_crossentropy``): crossentropy scaled down on well-classified samples, for
imbalanced classes (Lin et al., 2017)."""
from __future__ import annotations

import warnings
from typing import Any

import tensorflow as tf

from minikeras._reduce import reduce_mean
from minikeras.losses import functions as F
from minikeras.losses.loss import Loss, LossFunctionWrapper

_SUM = "sum_over_batch_size"


def binary_focal_crossentropy(y_true: Any, y_pred: Any, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0,
                              from_logits: bool = False, label_smoothing: float = 0.0,
                              axis: int = -1, *, logits: tf.Tensor | None = None) -> tf.Tensor:
    """Binary focal crossentropy, averaged over ``axis``.

    With ``p_t = y p + (1 - y)(1 - p)``: ``(1 - p_t)^gamma * bce(y, p)``, times
    ``y alpha + (1 - y)(1 - alpha)`` when ``apply_class_balancing``. ``bce`` is computed
    from the logits when they are known (``from_logits``, or ``logits`` of a final sigmoid),
    else from the clipped probabilities, as keras does.

    Args:
      apply_class_balancing: Weight positives by ``alpha``, negatives by ``1 - alpha``.
        Default False.
      alpha: Balancing weight. Default 0.25.
      gamma: Focusing exponent (0 gives binary crossentropy). Default 2.0.
      from_logits: Whether ``y_pred`` holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y (1 - s) + s / 2``. Default 0.
      axis: Axis averaged over. Default -1.
      logits: Optional pre-sigmoid tensor of ``y_pred`` (the engine passes it).

    Example:
      >>> from minikeras.losses import binary_focal_crossentropy
      >>> binary_focal_crossentropy([[0.0, 1.0]], [[0.4, 0.9]]).numpy().round(4)
      array([0.0414], dtype=float32)
    """
    y_pred = F._as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    F._check_same_shape(y_true, y_pred)
    known_logits = None
    if from_logits:  # keras's sigmoid keeps its input as the logits of the bce
        known_logits, y_pred = y_pred, tf.sigmoid(y_pred)
    elif logits is not None:
        known_logits = tf.cast(logits, y_pred.dtype)
    if known_logits is not None:
        bce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=known_logits)
    else:
        p = tf.clip_by_value(y_pred, F.EPSILON, 1.0 - F.EPSILON)
        bce = y_true * tf.math.log(p)
        bce += (1 - y_true) * tf.math.log(1 - p)
        bce = -bce
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = tf.pow(1.0 - p_t, tf.cast(gamma, y_pred.dtype)) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return reduce_mean(focal, axis)


F.LOGITS_FUNCTIONS.add(binary_focal_crossentropy)


def categorical_focal_crossentropy(y_true: Any, y_pred: Any, alpha: float = 0.25,
                                   gamma: float = 2.0, from_logits: bool = False,
                                   label_smoothing: float = 0.0, axis: int = -1) -> tf.Tensor:
    """Categorical focal crossentropy over the class ``axis``, with one-hot targets.

    ``p = clip(y_pred / sum(y_pred), eps, 1 - eps)`` (after a softmax when ``from_logits``);
    ``sum(alpha (1 - p)^gamma * -y log p, axis)``. keras computes it from probabilities
    even after a final softmax, and so does minikeras.

    Args:
      alpha: Weight of every class. Default 0.25.
      gamma: Focusing exponent. Default 2.0.
      from_logits: Whether ``y_pred`` holds logits. Default False.
      label_smoothing: Float in [0, 1]; targets become ``y (1 - s) + s / classes``.
      axis: The class axis. Default -1.

    Example:
      >>> from minikeras.losses import categorical_focal_crossentropy
      >>> categorical_focal_crossentropy([[0.0, 1.0]], [[0.4, 0.6]]).numpy().round(4)
      array([0.0204], dtype=float32)
    """
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")
    y_pred = F._as_float(y_pred)
    y_true = tf.cast(y_true, y_pred.dtype)
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(
            "In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, "
            f"num_classes) with num_classes > 1. Received: y_pred.shape={y_pred.shape}. "
            "Consider using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning, stacklevel=2)
    if label_smoothing:
        classes = tf.cast(tf.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / classes)
    if from_logits:
        y_pred = tf.nn.softmax(y_pred, axis=axis)
    output = y_pred / tf.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = tf.clip_by_value(output, F.EPSILON, 1.0 - F.EPSILON)
    cce = -y_true * tf.math.log(output)
    weighting = tf.pow(1.0 - output, tf.cast(gamma, y_pred.dtype)) * alpha
    return tf.reduce_sum(weighting * cce, axis=axis)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal crossentropy. See `binary_focal_crossentropy` for the maths and args."""

    def __init__(self, apply_class_balancing: bool = False, alpha: float = 0.25,
                 gamma: float = 2.0, from_logits: bool = False, label_smoothing: float = 0.0,
                 axis: int = -1, reduction: str | None = _SUM,
                 name: str = "binary_focal_crossentropy", dtype: Any = None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis,
                "apply_class_balancing": self.apply_class_balancing, "alpha": self.alpha,
                "gamma": self.gamma}


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal crossentropy. See `categorical_focal_crossentropy`."""

    def __init__(self, alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, axis: int = -1, reduction: str | None = _SUM,
                 name: str = "categorical_focal_crossentropy", dtype: Any = None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def get_config(self) -> dict:
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis,
                "alpha": self.alpha, "gamma": self.gamma}
