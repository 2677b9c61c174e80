"""Confusion-matrix counting at thresholds: the statistics behind Precision, Recall and AUC.

For every threshold ``t`` a prediction counts as positive when ``y_pred > t`` (strictly);
labels are cast to bool. With weights ``w`` (``sample_weight`` times ``label_weights``)::

    tp[t] += sum(w * (y_true & (y_pred > t)))      fp[t] += sum(w * (!y_true & (y_pred > t)))
    fn[t] += sum(w * (y_true & !(y_pred > t)))     tn[t] += sum(w * (!y_true & !(y_pred > t)))

Two ways to compute it, chosen as keras chooses (the numbers then match keras's):

* any thresholds: compare every prediction with every threshold, O(T * N);
* evenly spaced thresholds ``i / (T - 1)`` (``is_evenly_distributed_thresholds``, AUC's
  default): predictions clipped to [0, 1] go to bucket ``ceil(p * (T - 1)) - 1`` and a
  reversed cumulative sum of the per-bucket weights gives tp/fp, O(T + N).

``top_k`` keeps only the k largest predictions of the last axis (the rest become -1e10),
``class_id`` keeps one column of the last axis; ``multi_label`` keeps a count per label.

Example:
  >>> tp, fp = tf.Variable([0.0]), tf.Variable([0.0])
  >>> update_confusion_matrix_variables({"tp": tp, "fp": fp}, [0, 1, 1], [0.9, 0.8, 0.2], [0.5])
  >>> tp.numpy(), fp.numpy()   # [1.], [1.]
"""
from __future__ import annotations

import numbers
from enum import Enum
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.losses.functions import EPSILON, squeeze_or_expand_to_same_rank

NEG_INF = -1e10
KEYS = ("tp", "fp", "tn", "fn")


class AUCCurve(Enum):
    """The curve an `AUC` integrates: ROC, PR (precision-recall) or PRGAIN."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key: str) -> AUCCurve:
        for curve in AUCCurve:
            if key in (curve.value, curve.value.lower()):
                return curve
        raise ValueError(f'Invalid AUC curve value: "{key}". '
                         'Expected values are ["PR", "ROC", "PRGAIN"]')


class AUCSummationMethod(Enum):
    """How an `AUC` sums its rectangles: mid-point ("interpolation"), or the lower
    ("minoring") or upper ("majoring") of the two neighbouring heights."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key: str) -> AUCSummationMethod:
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError(f'Invalid AUC summation method value: "{key}". '
                         'Expected values are ["interpolation", "majoring", "minoring"]')


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list:
    """``thresholds`` as a list (a float becomes ``[float]``; None the default), each checked
    to be in [0, 1] with keras's message (a ValueError); a value that is not a number (a
    string, a nested list) is a TypeError, as in keras (whose message is Python's)."""
    if thresholds is None:
        return [default_threshold]
    values = list(thresholds) if isinstance(thresholds, (list, tuple)) or \
        (isinstance(thresholds, np.ndarray) and thresholds.ndim) else [thresholds]
    wrong = [t for t in values if t is not None and not isinstance(t, numbers.Real) and not (
        isinstance(t, np.ndarray) and t.ndim == 0 and t.dtype.kind in "biuf")]
    if wrong:
        raise TypeError("Threshold values must be floats in [0, 1]. Received values of type "
                        f"{sorted({type(t).__name__ for t in wrong})}: {wrong}")
    invalid = [t for t in values if t is None or not 0 <= t <= 1]
    if invalid:
        raise ValueError(f"Threshold values must be in [0, 1]. Received: {invalid}")
    return values


def is_evenly_distributed_thresholds(thresholds: Any) -> bool:
    """True when there are at least 3 thresholds, equal to ``i / (T - 1)`` within 1e-7."""
    thresholds = np.asarray(thresholds)
    n = len(thresholds)
    if n < 3:
        return False
    return bool(np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1),
                            atol=EPSILON))


def filter_top_k(x: tf.Tensor, k: int) -> tf.Tensor:
    """``x`` where it is among the k largest of its last axis, -1e10 elsewhere."""
    _, indices = tf.math.top_k(x, k)
    mask = tf.reduce_sum(tf.one_hot(indices, tf.shape(x)[-1], dtype=x.dtype), axis=-2)
    return x * mask + NEG_INF * (1 - mask)


def _weights(sample_weight, label_weights, y_pred, flatten):
    """The per-element weights (sample times label weights) shaped as ``y_pred``, or None."""
    weights = None
    if sample_weight is not None:
        weights = tf.broadcast_to(tf.cast(sample_weight, y_pred.dtype), tf.shape(y_pred))
    if label_weights is not None:
        label_weights = tf.broadcast_to(
            tf.expand_dims(tf.cast(label_weights, y_pred.dtype), 0), tf.shape(y_pred))
        weights = label_weights if weights is None else weights * label_weights
    if weights is not None and flatten:
        weights = tf.reshape(weights, [-1])
    return weights


def _counts_by_buckets(y_true, y_pred, weights, num_thresholds, multi_label, with_epsilon):
    """tp, fp, total positives and total negatives with evenly spaced thresholds."""
    y_pred = tf.clip_by_value(y_pred, 0.0, 1.0)
    y_true = tf.cast(tf.cast(y_true, tf.bool), y_pred.dtype)
    if not multi_label:
        y_true, y_pred = tf.reshape(y_true, [-1]), tf.reshape(y_pred, [-1])
    w = tf.constant(1.0, y_pred.dtype) if weights is None else weights
    true_labels, false_labels = y_true * w, (1.0 - y_true) * w
    # A prediction p is above threshold i/(T-1) for every i < ceil(p (T-1)).
    buckets = tf.math.ceil(y_pred * (tf.cast(num_thresholds, y_pred.dtype) - 1)) - 1
    if with_epsilon:  # the first threshold is -eps: every prediction is above it
        buckets = tf.nn.relu(buckets)
    buckets = tf.cast(buckets, tf.int32)
    if multi_label:  # one segment range per label
        num_labels = tf.shape(y_pred)[1]
        ids = buckets + tf.range(num_labels)[None, :] * num_thresholds
        ids = tf.where(buckets < 0, -1, ids)  # negative ids are dropped, as keras

        def per_label(values):
            sums = tf.math.unsorted_segment_sum(tf.reshape(values, [-1]), tf.reshape(ids, [-1]),
                                                num_thresholds * num_labels)
            sums = tf.reshape(sums, [num_labels, num_thresholds])
            return tf.transpose(tf.reverse(tf.cumsum(tf.reverse(sums, [1]), axis=1), [1]))

        return (per_label(true_labels), per_label(false_labels),
                tf.reduce_sum(true_labels, 0), tf.reduce_sum(false_labels, 0))

    def cumulative(values):
        sums = tf.math.unsorted_segment_sum(values, buckets, num_thresholds)
        return tf.reverse(tf.cumsum(tf.reverse(sums, [0])), [0])

    return (cumulative(true_labels), cumulative(false_labels), tf.reduce_sum(true_labels),
            tf.reduce_sum(false_labels))


def _counts_by_comparison(y_true, y_pred, weights, thresholds, multi_label, keys):
    """tp, fp, tn, fn (those in ``keys``) by comparing with every threshold."""
    if multi_label:  # (T, N, L) comparisons
        preds, labels = y_pred[None], tf.cast(y_true, tf.bool)[None]
        thresholds = tf.reshape(thresholds, [-1, 1, 1])
    else:  # (T, N * L)
        preds = tf.reshape(y_pred, [1, -1])
        labels = tf.reshape(tf.cast(y_true, tf.bool), [1, -1])
        thresholds = tf.reshape(thresholds, [-1, 1])
    pred_pos = preds > thresholds
    label_pos = tf.broadcast_to(labels, tf.shape(pred_pos))
    if weights is not None:
        weights = tf.broadcast_to(weights[None], tf.shape(pred_pos))
    conditions = {"tp": (label_pos, pred_pos), "fn": (label_pos, ~pred_pos),
                  "fp": (~label_pos, pred_pos), "tn": (~label_pos, ~pred_pos)}
    counts = {}
    for key in keys:
        both = tf.logical_and(*conditions[key])
        counts[key] = tf.reduce_sum(
            tf.cast(both, y_pred.dtype) if weights is None
            else tf.where(both, weights, tf.zeros((), y_pred.dtype)), axis=1)
    return counts


def update_confusion_matrix_variables(variables_to_update: dict, y_true: Any, y_pred: Any,
                                      thresholds: Any, top_k: int | None = None,
                                      class_id: int | None = None, sample_weight: Any = None,
                                      multi_label: bool = False, label_weights: Any = None,
                                      thresholds_distributed_evenly: bool = False) -> None:
    """Adds this batch's weighted confusion counts to the variables (see the module docstring).

    Args:
      variables_to_update: ``{"tp"|"fp"|"tn"|"fn": variable}``, each of shape ``(T,)`` (or
        ``(T, num_labels)`` with ``multi_label``).
      y_true: Labels, cast to bool. y_pred: Scores, compared with the thresholds.
      thresholds: A list of T floats (or -1e10 with ``top_k``).
      top_k, class_id: See the module docstring. sample_weight: Broadcastable to y_true.
      multi_label: Whether to count per label (column) instead of flattening.
      label_weights: Per-label weights, applied when flattening (not with ``multi_label``).
      thresholds_distributed_evenly: Whether to use the bucketed computation.
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    invalid = [key for key in variables_to_update if key not in KEYS]
    if invalid or not variables_to_update:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: '
                         f'"{list(KEYS)}"')
    dtype = next(iter(variables_to_update.values())).dtype
    y_true = tf.cast(y_true, dtype)
    y_pred = tf.cast(y_pred, dtype)
    with_epsilon = thresholds_distributed_evenly and (thresholds[0] < 0.0 or thresholds[-1] > 1.0)
    thresholds = tf.cast(tf.convert_to_tensor(thresholds), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = tf.expand_dims(tf.cast(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.shape.rank == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    weights = _weights(sample_weight, label_weights, y_pred, flatten=not multi_label)
    if thresholds_distributed_evenly:
        tp, fp, positives, negatives = _counts_by_buckets(
            y_true, y_pred, weights, tf.shape(thresholds)[0], multi_label, with_epsilon)
        counts = {"tp": tp, "fp": fp, "tn": negatives - fp, "fn": positives - tp}
    else:
        counts = _counts_by_comparison(y_true, y_pred, weights, thresholds, multi_label,
                                       tuple(variables_to_update))
    for key, variable in variables_to_update.items():
        variable.assign(variable + counts[key])
