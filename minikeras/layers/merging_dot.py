"""`Dot`: the batch-wise dot product of two inputs, as keras's ``Dot`` layer computes it.

For inputs of shapes ``(batch, *a)`` and ``(batch, *b)`` and ``axes=(i, j)`` (never the batch
axis 0), the output has shape ``(batch, *a without i, *b without j)``, or ``(batch, 1)`` when
that leaves only the batch axis. ``normalize=True`` first L2-normalizes both inputs along
their axes (keras's ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``), giving cosine similarities.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.layers.merging import Merge

_EPSILON = 1e-7  # keras's backend.epsilon()
_AXIS_0 = ("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy "
           "batch dimension to your inputs using keras.ops.expand_dims(x, 0)")


def _l2_normalize(x: tf.Tensor, axis: int) -> tf.Tensor:
    inv_norm = tf.math.rsqrt(tf.reduce_sum(tf.square(x), axis=axis, keepdims=True))
    return x * tf.minimum(inv_norm, 1.0 / _EPSILON)


def _move_axis(x: tf.Tensor, source: int, target: int) -> tf.Tensor:
    perm = [a for a in range(x.shape.rank) if a != source]
    perm.insert(target, source)
    return x if perm == sorted(perm) else tf.transpose(x, perm)


def batch_dot(x: tf.Tensor, y: tf.Tensor, axes: tuple[int, int]) -> tf.Tensor:
    """Sums ``x * y`` over ``x``'s axis ``axes[0]`` and ``y``'s axis ``axes[1]`` for each
    sample (non-negative axes): one batched matmul of ``(batch, m, d) @ (batch, d, n)``."""
    a0, a1 = axes
    if 0 in axes:
        raise ValueError(_AXIS_0)
    x_shape, y_shape = _dims(x), _dims(y)
    x_rest = [d for i, d in enumerate(x_shape) if i not in (0, a0)]
    y_rest = [d for i, d in enumerate(y_shape) if i not in (0, a1)]
    x = tf.reshape(_move_axis(x, a0, len(x_shape) - 1), [x_shape[0], -1, x_shape[a0]])
    y = tf.reshape(_move_axis(y, a1, 1), [y_shape[0], y_shape[a1], -1])
    return tf.reshape(tf.matmul(x, y), [x_shape[0]] + (x_rest + y_rest or [1]))


def _dims(x: tf.Tensor) -> list:
    """``x``'s dimensions: Python ints where known statically, scalar tensors otherwise."""
    dynamic = tf.shape(x)
    return [d if d is not None else dynamic[i] for i, d in enumerate(x.shape.as_list())]


class Dot(Merge):
    """The dot product of the samples of two inputs along ``axes``.

    Args:
      axes: An int (the same axis of both inputs) or a pair ``(axis_1, axis_2)``; negative
        values count from the end; the batch axis 0 is not allowed.
      normalize: Whether to L2-normalize both inputs along ``axes`` first (so the output is
        the cosine similarity). Default False.
    """

    def __init__(self, axes: Any, normalize: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not all(isinstance(a, int) for a in axes):
                raise ValueError("Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, rank1: int, rank2: int) -> list[int]:
        pair = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [a % rank if a < 0 else a for a, rank in zip(pair, (rank1, rank2))]

    def build(self, input_shape: Any) -> None:
        """Checks that there are two inputs whose ``axes`` sizes match."""
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = (tuple(s) for s in input_shape)
        for shape in (shape1, shape2):
            if len(shape) < 2:
                raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received "
                                 f"inputs with shapes {shape1} and {shape2}.")
        a1, a2 = self._axes_for(len(shape1), len(shape2))
        if 0 in (a1, a2):
            raise ValueError(_AXIS_0)
        for a, shape in ((a1, shape1), (a2, shape2)):
            if a >= len(shape):
                raise ValueError(f"Invalid `axes` of a `Dot` layer: axes={self.axes} for "
                                 f"inputs of shapes {shape1} and {shape2}.")
        d1, d2 = shape1[a1], shape2[a2]
        if d1 is not None and d2 is not None and d1 != d2:
            raise ValueError(f"Incompatible input shapes: axis values {d1} (at axis {a1}) != "
                             f"{d2} (at axis {a2}). Full input shapes: {shape1}, {shape2}")
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) != 2 or not all(
                isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        a1, a2 = self._axes_for(len(shape1), len(shape2))
        del shape1[a1], shape2[a2]
        out = shape1 + shape2[1:]
        return tuple(out + [1] if len(out) == 1 else out)

    def call(self, inputs: Any) -> tf.Tensor:
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={inputs}")
        x, y = inputs
        axes = self._axes_for(x.shape.rank, y.shape.rank)
        if self.normalize:
            x, y = _l2_normalize(x, axes[0]), _l2_normalize(y, axes[1])
        return batch_dot(x, y, axes)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        """keras's `Dot` gives no output mask."""
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs: Any, axes: Any = -1, normalize: bool = False, **kwargs: Any) -> Any:
    """``Dot(axes=axes, normalize=normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
