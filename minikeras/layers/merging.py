"""Merging layers: combine a list of tensors into one, as keras's merging layers do.

    a, b = Input((4,)), Input((4,))
    merged = Concatenate()([Dense(8)(a), Dense(8)(b)])     # or concatenate([...])
    total = Add()([a, b])                                   # or add([a, b])

`Add`, `Subtract`, `Multiply`, `Average`, `Maximum` and `Minimum` work element-wise and
broadcast as keras does: the non-batch dimensions align from the right (a size-1 dimension
stretches), an input of lower rank gets size-1 axes inserted after the batch axis, and the
batch sizes must agree. `Concatenate` joins along ``axis``; `Dot` (in `merging_dot.py`) takes
the batch-wise dot product of two inputs. The shape checks run when the layer is built, with
keras's messages. Each class has keras's function form (``add(inputs, **kwargs)``...), which
creates the layer and calls it.

minikeras layers do not propagate keras masks; `compute_mask` computes the mask keras would
give the output from masks passed to it explicitly.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.layers.layer import Layer


def _is_shape_list(input_shape: Any) -> bool:
    return isinstance(input_shape, (list, tuple)) and bool(input_shape) and all(
        isinstance(s, (list, tuple)) for s in input_shape)


def broadcast_shape(shape1: tuple | None, shape2: tuple | None) -> tuple | None:
    """The shape of an element-wise op on ``shape1`` and ``shape2`` (no batch axis), aligned
    from the right; None for an unknown dimension. Raises ValueError when they conflict."""
    if shape1 is None or shape2 is None:
        return None
    longer, shorter = (shape1, shape2) if len(shape1) >= len(shape2) else (shape2, shape1)
    lead = len(longer) - len(shorter)
    out = list(longer[:lead])
    for a, b in zip(longer[lead:], shorter):
        if a is None or b is None:
            out.append(None)
        elif a == 1 or b == 1:
            out.append(b if a == 1 else a)
        elif a != b:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                             f"{tuple(longer)} and {tuple(shorter)}")
        else:
            out.append(a)
    return tuple(out)


class Merge(Layer):
    """Base of the element-wise merging layers: subclasses define `_merge(tensors)`."""

    _float_inputs = False  # integer inputs stay integers, as in keras

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check_list(self, input_shape: Any) -> None:
        if not isinstance(input_shape, (list, tuple)) or (
                input_shape and not isinstance(input_shape[0], (list, tuple))):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"input_shape={input_shape} (not a list of shapes)")
        if len(input_shape) < 1:
            raise ValueError("A merge layer should be called on a list of at least 1 input. "
                             f"Received {len(input_shape)} inputs. Full input_shape "
                             f"received: {list(input_shape)}")

    def build(self, input_shape: Any) -> None:
        """Checks the shapes only (merging layers have no weights)."""
        self._check_list(input_shape)
        batches = {s[0] for s in input_shape if s} - {None}
        if len(batches) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received "
                             f"tensors with shapes {list(map(tuple, input_shape))}")
        out: tuple | None = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = broadcast_shape(out, tuple(shape[1:]))
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The merged shape (batch first) for a list of input shapes."""
        self._check_list(input_shape)
        out: tuple | None = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = broadcast_shape(out, tuple(shape[1:]))
        batches = {s[0] for s in input_shape if s} - {None}
        return ((batches.pop() if len(batches) == 1 else None),) + tuple(out)

    def call(self, inputs: Any) -> tf.Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"inputs={inputs} (not a list of tensors)")
        rank = max(x.shape.rank for x in inputs)
        expanded = []
        for x in inputs:  # a lower-rank input gets size-1 axes after the batch axis
            for _ in range(rank - x.shape.rank):
                x = tf.expand_dims(x, 1)
            expanded.append(x)
        return self._merge(expanded)

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        raise NotImplementedError

    def compute_mask(self, inputs: Any, mask: Any = None) -> tf.Tensor | None:
        """keras's output mask for explicit input masks: their logical OR (None if any is
        None)."""
        masks = _check_masks(inputs, mask)
        if masks is None or any(m is None for m in masks):
            return None
        out = tf.cast(masks[0], tf.bool)
        for m in masks[1:]:
            out = tf.logical_or(out, tf.cast(m, tf.bool))
        return out


def _check_masks(inputs: Any, mask: Any) -> list | None:
    if mask is None:
        return None
    if not isinstance(mask, (list, tuple)):
        raise ValueError(f"`mask` should be a list. Received: mask={mask}")
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
    if len(mask) != len(inputs):
        raise ValueError(
            "The lists `inputs` and `mask` should have the same length. Received: inputs="
            f"{inputs} of length {len(inputs)}, and mask={mask} of length {len(mask)}")
    return list(mask)


class Add(Merge):
    """Element-wise sum of a list of inputs (broadcast as keras does)."""

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = tf.add(out, x)
        return out


class Subtract(Merge):
    """``inputs[0] - inputs[1]``: exactly two inputs."""

    def build(self, input_shape: Any) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            self.built = False
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={list(map(tuple, input_shape))}")

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return tf.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Element-wise product of a list of inputs."""

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = tf.multiply(out, x)
        return out


class Average(Merge):
    """Element-wise mean of a list of inputs: their sum divided by their number."""

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = tf.add(out, x)
        return out / len(inputs)


class Maximum(Merge):
    """Element-wise maximum of a list of inputs."""

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = tf.maximum(out, x)
        return out


class Minimum(Merge):
    """Element-wise minimum of a list of inputs."""

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        out = inputs[0]
        for x in inputs[1:]:
            out = tf.minimum(out, x)
        return out


class Concatenate(Merge):
    """Joins a list of inputs along ``axis`` (default -1, the last); every other dimension
    must match.

    Args:
      axis: The axis to concatenate along. Default -1.
    """

    def __init__(self, axis: int = -1, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"`axis` must be an integer. Received: axis={axis!r}")
        self.axis = axis

    def build(self, input_shape: Any) -> None:
        """Checks that the inputs match outside the concatenation axis."""
        if not _is_shape_list(input_shape):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        message = ("A `Concatenate` layer requires inputs with matching shapes except for "
                   f"the concatenation axis. Received: input_shape="
                   f"{list(map(tuple, input_shape))}")
        rests = set()
        for shape in input_shape:
            rest = list(shape)
            if not -len(rest) <= self.axis < len(rest):
                raise ValueError(f"Invalid `axis` of a `Concatenate` layer: axis={self.axis} "
                                 f"for inputs of rank {len(rest)}. Received: input_shape="
                                 f"{list(map(tuple, input_shape))}")
            del rest[self.axis]
            rests.add(tuple(rest))
        if len({len(r) for r in rests}) > 1:
            raise ValueError(message)
        for dims in zip(*rests):  # unknown (None) dimensions match anything
            if len(set(dims) - {None}) > 1:
                raise ValueError(message)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if not _is_shape_list(input_shape):
            raise ValueError("A `Concatenate` layer should be called on a list of inputs. "
                             f"Received: input_shape={input_shape}")
        out = list(input_shape[0])
        sizes = [s[self.axis] for s in input_shape]
        out[self.axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def _merge(self, inputs: list[tf.Tensor]) -> tf.Tensor:
        return tf.concat(inputs, axis=self.axis)

    def call(self, inputs: Any) -> tf.Tensor:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"inputs={inputs} (not a list of tensors)")
        return self._merge(list(inputs))  # no rank broadcasting

    def compute_mask(self, inputs: Any, mask: Any = None) -> tf.Tensor | None:
        """keras's output mask: the input masks (all-True for an unmasked input, widened to
        the input's rank) concatenated along ``axis``, then any() over the last axis."""
        masks = _check_masks(inputs, mask)
        if masks is None or all(m is None for m in masks):
            return None
        full = []
        for x, m in zip(inputs, masks):
            if m is None:  # (x is only read here, so symbolic inputs work with given masks)
                m = tf.ones_like(tf.convert_to_tensor(x), dtype=tf.bool)
            m = tf.cast(m, tf.bool)
            if m.shape.rank < len(x.shape):
                m = tf.logical_or(tf.expand_dims(m, -1),
                                  tf.zeros_like(tf.convert_to_tensor(x), dtype=tf.bool))
            full.append(m)
        return tf.reduce_any(tf.concat(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def add(inputs: Any, **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the element-wise sum."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Any, **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Any, **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the element-wise product."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Any, **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the element-wise mean."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Any, **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the element-wise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Any, **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the element-wise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Any, axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
