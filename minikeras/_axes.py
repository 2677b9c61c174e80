"""Normalizations over several axes at once (keras's ``ops.softmax(x, axis=(1, 2))``)."""
from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf


def over_axes(fn: Callable[[tf.Tensor], tf.Tensor], x: tf.Tensor, axis: tuple) -> tf.Tensor:
    """Applies ``fn`` (a normalization over the last axis) jointly over the axes ``axis``.

    As keras: the axes are moved last, flattened into one, ``fn`` runs over it, and the
    result is reshaped and moved back. ``softmax(x, axis=(1, 2))`` of a ``(2, 3, 5)`` tensor
    normalizes each of the two ``3 x 5`` blocks as a whole.
    """
    rank = x.shape.rank
    axes = sorted({a % rank for a in axis})
    keep = [a for a in range(rank) if a not in axes]
    perm = keep + axes
    moved = tf.transpose(x, perm)
    flat = tf.reshape(moved, tf.concat([tf.shape(moved)[:len(keep)], [-1]], 0))
    out = tf.reshape(fn(flat), tf.shape(moved))
    inverse = [perm.index(a) for a in range(rank)]
    return tf.transpose(out, inverse)
