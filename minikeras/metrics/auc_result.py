"""The area under a curve from confusion counts at thresholds: `AUC.result`'s maths.

With counts tp, fp, tn, fn of shape ``(T,)`` (or ``(T, labels)``) at increasing thresholds:

* ROC: ``x = fp / (fp + tn)``, ``y = tp / (tp + fn)``; PR: ``x = recall``,
  ``y = tp / (tp + fp)``; PRGAIN: recall gain and precision gain (Flach & Kull).
* area = ``sum((x[i] - x[i+1]) * h[i])``, ``h`` the mean ("interpolation"), min
  ("minoring") or max ("majoring") of ``y[i]`` and ``y[i+1]``.
* PR with "interpolation": tp and the predicted positives ``p = tp + fp`` vary linearly
  between thresholds (Davis & Goadrich 2006), giving per interval
  ``slope * (dtp + intercept * log(p[i] / p[i+1])) / (tp[i+1] + fn[i+1])`` with
  ``slope = dtp / dp`` and ``intercept = tp[i+1] - slope * p[i+1]``.

Labels (``multi_label``) are averaged, weighted by ``label_weights`` if given. Divisions by
zero give 0, as keras's ``divide_no_nan``.

Example:
  >>> tp, fp = tf.constant([2., 1., 0.]), tf.constant([2., 0., 0.])
  >>> tn, fn = tf.constant([0., 2., 2.]), tf.constant([0., 1., 2.])
  >>> auc_result(tp, fp, tn, fn, AUCCurve.ROC, AUCSummationMethod.INTERPOLATION)   # 0.75
"""
from __future__ import annotations

import tensorflow as tf

from minikeras.metrics.metrics_utils import AUCCurve, AUCSummationMethod

_div = tf.math.divide_no_nan


def _average_labels(terms: tf.Tensor, multi_label: bool, label_weights) -> tf.Tensor:
    if not multi_label:
        return tf.reduce_sum(terms)
    by_label = tf.reduce_sum(terms, axis=0)
    if label_weights is None:
        return tf.reduce_mean(by_label)
    label_weights = tf.cast(label_weights, by_label.dtype)
    return _div(tf.reduce_sum(by_label * label_weights), tf.reduce_sum(label_weights))


def interpolate_pr_auc(tp, fp, fn, multi_label=False, label_weights=None) -> tf.Tensor:
    """PR-AUC with Davis & Goadrich's interpolation (see the module docstring)."""
    dtp = tp[:-1] - tp[1:]
    p = tp + fp
    dp = p[:-1] - p[1:]
    prec_slope = _div(dtp, tf.maximum(dp, 0))
    intercept = tp[1:] - prec_slope * p[1:]
    safe_p_ratio = tf.where(tf.logical_and(p[:-1] > 0, p[1:] > 0),
                            _div(p[:-1], tf.maximum(p[1:], 0)), tf.ones_like(p[1:]))
    increments = _div(prec_slope * (dtp + intercept * tf.math.log(safe_p_ratio)),
                      tf.maximum(tp[1:] + fn[1:], 0))
    return _average_labels(increments, multi_label, label_weights)


def auc_result(tp, fp, tn, fn, curve: AUCCurve, summation_method: AUCSummationMethod,
               multi_label: bool = False, label_weights=None) -> tf.Tensor:
    """The area under ``curve`` (see the module docstring)."""
    tp, fp, tn, fn = (tf.convert_to_tensor(v) for v in (tp, fp, tn, fn))
    if curve == AUCCurve.PR and summation_method == AUCSummationMethod.INTERPOLATION:
        return interpolate_pr_auc(tp, fp, fn, multi_label, label_weights)
    recall = _div(tp, tp + fn)
    if curve == AUCCurve.ROC:
        x, y = _div(fp, fp + tn), recall
    elif curve == AUCCurve.PR:
        x, y = recall, _div(tp, tp + fp)
    else:  # PRGAIN; no true positives: recall gain 0, precision gain 1
        scale = _div(tp + fn, tn + fp)
        recall_gain = 1.0 - scale * _div(fn, tp)
        precision_gain = 1.0 - scale * _div(fp, tp)
        recall_gain = tf.maximum(tf.where(tf.equal(tp, 0.0), 0.0, recall_gain), 0.0)
        precision_gain = tf.where(tf.equal(tp, 0.0), 1.0, precision_gain)
        x, y = recall_gain, precision_gain
    if summation_method == AUCSummationMethod.INTERPOLATION:
        heights = (y[:-1] + y[1:]) / 2.0
    elif summation_method == AUCSummationMethod.MINORING:
        heights = tf.minimum(y[:-1], y[1:])
    else:
        heights = tf.maximum(y[:-1], y[1:])
    return _average_labels((x[:-1] - x[1:]) * heights, multi_label, label_weights)
