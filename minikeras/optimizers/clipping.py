"""Gradient clipping as pure functions (keras's three forms, same operation order).

Clip thresholds are Python floats: ``1 / clip_norm`` is formed in double precision and then
rounded to the gradient's dtype, as keras does, so the results match keras bit for bit.
"""
from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf


def clip_by_value(gradient: tf.Tensor, clipvalue: float) -> tf.Tensor:
    """Each element clipped to ``[-clipvalue, clipvalue]``."""
    return tf.clip_by_value(gradient, -clipvalue, clipvalue)


def clip_by_norm(gradient: tf.Tensor, clipnorm: float) -> tf.Tensor:
    """``g * clipnorm / max(||g||, clipnorm)``: rescaled only when its L2 norm exceeds it."""
    return tf.clip_by_norm(gradient, clipnorm)


def global_norm(gradients: Sequence[tf.Tensor]) -> tf.Tensor:
    """``sqrt(sum over tensors of sum(g**2))``."""
    return tf.sqrt(tf.reduce_sum(tf.stack([tf.reduce_sum(tf.square(g)) for g in gradients])))


def clip_by_global_norm(gradients: Sequence[tf.Tensor], clipnorm: float) -> list[tf.Tensor]:
    """All gradients scaled by ``clipnorm / max(norm, clipnorm)``, norm = `global_norm`.

    keras's form: ``scale = clipnorm * min(1/norm, 1/clipnorm) + (norm - norm)``; the last
    term is 0 for a finite norm and NaN otherwise, so a non-finite norm gives NaN gradients.
    """
    norm = global_norm(gradients)
    scale = clipnorm * tf.minimum(1.0 / norm, 1.0 / clipnorm) + (norm - norm)
    return [g * scale for g in gradients]
