"""Sizes, means and sums that use static shapes, in as few graph ops as possible.

A loss or metric averages over the last axis (``mean(..., axis=-1)``), which for the common
one-output model (``Dense(1)`` with mse, binary crossentropy, binary accuracy) has a single
element. Reducing one element is the element itself, bitwise (its sum, and its sum divided
by 1), so over axes whose static sizes are all 1 these functions squeeze instead: one op,
whose gradient is one reshape, where a mean and its gradient are about a dozen ops per step.
Any other axis is reduced by TensorFlow as usual. Likewise `dim` is a Python int (a constant
in the graph) where the shape is static, and a `tf.shape` op only where it is not.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import tensorflow as tf


def dim(x: tf.Tensor, axis: int = 0) -> int | tf.Tensor:
    """The size of ``x`` along ``axis``: a Python int when static, else a scalar tensor."""
    size = x.shape[axis]
    return size if size is not None else tf.shape(x)[axis]


def _unit_axes(x: tf.Tensor, axis: int | Sequence[int]) -> list[int] | None:
    """The axes of ``axis`` (normalized), if every one has static size 1; else None."""
    rank = x.shape.rank
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if rank is None or not axes or not all(
            isinstance(a, numbers.Integral) and -rank <= a < rank for a in axes):
        return None  # anything unusual (a tensor axis, a bad axis): TensorFlow decides
    axes = sorted({a % rank for a in axes})
    return axes if all(x.shape[a] == 1 for a in axes) else None


def reduce_mean(x: tf.Tensor, axis: int | Sequence[int]) -> tf.Tensor:
    """``tf.reduce_mean(x, axis)``, as a squeeze when every axis of ``axis`` has size 1."""
    axes = _unit_axes(x, axis)
    return tf.reduce_mean(x, axis=axis) if axes is None else tf.squeeze(x, axes)


def reduce_sum(x: tf.Tensor, axis: int | Sequence[int]) -> tf.Tensor:
    """``tf.reduce_sum(x, axis)``, as a squeeze when every axis of ``axis`` has size 1."""
    axes = _unit_axes(x, axis)
    return tf.reduce_sum(x, axis=axis) if axes is None else tf.squeeze(x, axes)
