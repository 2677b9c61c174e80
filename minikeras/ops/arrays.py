"""Making, reshaping and combining tensors, and products (keras.ops's NumPy-style part)."""
from __future__ import annotations

import builtins
from typing import Any

import tensorflow as tf

from minikeras import backend
from minikeras.ops.core import convert_to_tensor as _t


def _dtype(dtype: Any, default: Any = None) -> tf.DType:
    return tf.as_dtype(dtype or default or backend.floatx())


def zeros(shape: Any, dtype: Any = None) -> tf.Tensor:
    """A tensor of zeros (floatx by default)."""
    return tf.zeros(shape, _dtype(dtype))


def ones(shape: Any, dtype: Any = None) -> tf.Tensor:
    """A tensor of ones (floatx by default)."""
    return tf.ones(shape, _dtype(dtype))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> tf.Tensor:
    """A tensor of ``fill_value`` (floatx by default)."""
    return tf.fill(shape, tf.cast(fill_value, _dtype(dtype)))


def zeros_like(x: Any, dtype: Any = None) -> tf.Tensor:
    """Zeros of ``x``'s shape (and dtype unless given)."""
    return tf.zeros_like(_t(x), dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> tf.Tensor:
    """Ones of ``x``'s shape (and dtype unless given)."""
    return tf.ones_like(_t(x), dtype=dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> tf.Tensor:
    """``fill_value`` in ``x``'s shape (and dtype unless given)."""
    x = _t(x)
    return tf.fill(tf.shape(x), tf.cast(fill_value, dtype or x.dtype))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> tf.Tensor:
    """``start, start + step, ...`` below ``stop`` (``range(start)`` if ``stop`` is None);
    int32 for integer arguments, floatx otherwise."""
    if stop is None:
        start, stop = 0, start
    integral = builtins.all(isinstance(v, int) for v in (start, stop, step))
    dtype = _dtype(dtype, tf.int32 if integral else None)
    return tf.range(tf.cast(start, dtype), tf.cast(stop, dtype), tf.cast(step, dtype))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             dtype: Any = None) -> tf.Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` (excluded if not ``endpoint``)."""
    dtype = _dtype(dtype)
    start, stop = tf.cast(start, tf.float64), tf.cast(stop, tf.float64)
    if not endpoint:
        stop = start + (stop - start) * (num - 1) / num if num > 1 else start
    return tf.cast(tf.linspace(start, stop, num), dtype)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> tf.Tensor:  # noqa: N803
    """An ``N x M`` matrix with ones on the ``k``-th diagonal."""
    M = N if M is None else M  # noqa: N806
    return tf.linalg.diag(tf.ones([builtins.max(0, builtins.min(N, M - k) if k >= 0 else
                                                builtins.min(N + k, M))], _dtype(dtype)),
                          k=k, num_rows=N, num_cols=M)


def identity(n: int, dtype: Any = None) -> tf.Tensor:
    """The ``n x n`` identity matrix."""
    return tf.eye(n, dtype=_dtype(dtype))


def reshape(x: Any, newshape: Any) -> tf.Tensor:
    """``x`` with shape ``newshape`` (one entry may be -1)."""
    return tf.reshape(_t(x), newshape)


def transpose(x: Any, axes: Any = None) -> tf.Tensor:
    """``x`` with its axes permuted (reversed if ``axes`` is None)."""
    return tf.transpose(_t(x), perm=axes)


def expand_dims(x: Any, axis: int) -> tf.Tensor:
    """``x`` with a new axis of size 1 at ``axis``."""
    return tf.expand_dims(_t(x), axis)


def squeeze(x: Any, axis: Any = None) -> tf.Tensor:
    """``x`` without its axes of size 1 (only ``axis`` if given)."""
    return tf.squeeze(_t(x), axis=axis)


def concatenate(xs: Any, axis: int = 0) -> tf.Tensor:
    """The tensors of ``xs`` joined along ``axis``."""
    return tf.concat([_t(x) for x in xs], axis=axis)


def stack(x: Any, axis: int = 0) -> tf.Tensor:
    """The tensors of ``x`` stacked along a new ``axis``."""
    return tf.stack([_t(v) for v in x], axis=axis)


def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list:
    """``x`` cut along ``axis`` into equal sections (an int) or at the given indices."""
    x = _t(x)
    if isinstance(indices_or_sections, int):
        return tf.split(x, indices_or_sections, axis=axis)
    edges = [0, *indices_or_sections, x.shape[axis]]
    return tf.split(x, [b - a for a, b in zip(edges[:-1], edges[1:])], axis=axis)


def tile(x: Any, repeats: Any) -> tf.Tensor:
    """``x`` repeated ``repeats`` times along each axis."""
    x = _t(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    repeats = [1] * (x.shape.rank - len(repeats)) + repeats
    return tf.tile(x, repeats)


def repeat(x: Any, repeats: Any, axis: int | None = None) -> tf.Tensor:
    """Each element repeated ``repeats`` times along ``axis`` (of the flattened tensor if None)."""
    x = _t(x)
    return tf.repeat(tf.reshape(x, [-1]) if axis is None else x, repeats, axis=axis or 0)


def take(x: Any, indices: Any, axis: int | None = None) -> tf.Tensor:
    """The entries of ``x`` at ``indices`` along ``axis`` (of the flattened tensor if None)."""
    x, indices = _t(x), _t(indices)
    if axis is None:
        return tf.gather(tf.reshape(x, [-1]), indices)
    return tf.gather(x, indices, axis=axis)


def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> tf.Tensor:
    """``x``'s entries picked by ``indices`` along ``axis`` (NumPy's ``take_along_axis``)."""
    x, indices = _t(x), _t(indices)
    if axis is None:
        return tf.gather(tf.reshape(x, [-1]), tf.reshape(indices, [-1]))
    axis = axis % x.shape.rank
    moved = lambda t: tf.experimental.numpy.moveaxis(t, axis, -1)  # noqa: E731
    out = tf.gather(moved(x), moved(indices), batch_dims=x.shape.rank - 1)
    return tf.experimental.numpy.moveaxis(out, -1, axis)


def sort(x: Any, axis: int = -1) -> tf.Tensor:
    """``x`` sorted ascending along ``axis``."""
    return tf.sort(_t(x), axis=axis)


def argsort(x: Any, axis: int = -1) -> tf.Tensor:
    """The indices that sort ``x`` along ``axis`` (stable)."""
    return tf.argsort(_t(x), axis=axis, stable=True)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None,
            sparse: bool = False) -> tf.Tensor:
    """Integer labels as one-hot vectors on a new ``axis`` (floatx by default)."""
    del sparse
    return tf.one_hot(tf.cast(_t(x), tf.int32), num_classes, axis=axis, dtype=_dtype(dtype))


def matmul(x1: Any, x2: Any) -> tf.Tensor:
    """The matrix product (batched over leading axes; vectors as NumPy treats them)."""
    x1, x2 = _t(x1), _t(x2)
    if x1.shape.rank == 1 or x2.shape.rank == 1:
        return tf.tensordot(x1, x2, axes=[[x1.shape.rank - 1], [builtins.max(
            0, x2.shape.rank - 2)]])
    return tf.linalg.matmul(x1, x2)


def dot(x1: Any, x2: Any) -> tf.Tensor:
    """NumPy's ``dot``: the last axis of ``x1`` with the second-to-last of ``x2``."""
    x1, x2 = _t(x1), _t(x2)
    if x1.shape.rank == 0 or x2.shape.rank == 0:
        return x1 * x2
    return tf.tensordot(x1, x2, axes=[[x1.shape.rank - 1], [builtins.max(
        0, x2.shape.rank - 2)]])


def einsum(subscripts: str, *operands: Any) -> tf.Tensor:
    """Einstein summation over ``operands`` as ``subscripts`` spells it."""
    return tf.einsum(subscripts, *[_t(o) for o in operands])


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> tf.Tensor:  # noqa: A002
    """The vector (or matrix) norm: Euclidean (Frobenius) by default."""
    x = _t(x)
    x = x if x.dtype.is_floating else tf.cast(x, backend.floatx())
    return tf.norm(x, ord="euclidean" if ord is None else ord, axis=axis, keepdims=keepdims)


def top_k(x: Any, k: int, sorted: bool = True) -> tuple:  # noqa: A002 - keras's name
    """The ``k`` largest values along the last axis and their indices."""
    return tuple(tf.math.top_k(_t(x), k=k, sorted=sorted))
