"""Categorical preprocessing layers: CategoryEncoding and Discretization (given boundaries)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.layers.layer import Layer


def _encode(indices: tf.Tensor, output_mode: str, depth: int,
            count_weights: tf.Tensor | None = None) -> tf.Tensor:
    """keras's TensorFlow encoding of integer indices: "int", or one/multi-hot and counts
    through `tf.math.bincount` over the last axis (indices outside [0, depth) are ignored)."""
    if output_mode == "int":
        return tf.cast(indices, tf.int32)
    if indices.shape.rank == 0:
        indices = indices[None]
    rank = indices.shape.rank + (output_mode == "one_hot" and indices.shape[-1] != 1)
    if rank > 2:  # keras's general path: one_hot, reduced over axis 1 for multi_hot/count
        if output_mode == "one_hot":
            return tf.one_hot(indices, depth)
        one_hot = tf.one_hot(indices, depth)
        if output_mode == "count":
            if count_weights is not None:
                one_hot = one_hot * count_weights[..., None]
            return tf.reduce_sum(one_hot, axis=1)
        return tf.reduce_max(one_hot, axis=1)
    if output_mode == "one_hot" and indices.shape[-1] != 1:
        indices = indices[..., None]
    return tf.math.bincount(tf.cast(indices, tf.int32), weights=count_weights, minlength=depth,
                            maxlength=depth, dtype=tf.float32, axis=-1,
                            binary_output=output_mode != "count")


def _encoded_shape(input_shape: tuple, output_mode: str, depth: int) -> tuple:
    if output_mode == "int":
        return tuple(input_shape)
    if len(input_shape) == 0:
        return (depth,)
    if output_mode == "one_hot" and (input_shape[-1] != 1 or len(input_shape) == 1):
        return tuple(input_shape) + (depth,)
    return tuple(input_shape[:-1]) + (depth,)


_MODES = ("int", "one_hot", "multi_hot", "count")


class CategoryEncoding(Layer):
    """Encodes integer category indices as one-hot, multi-hot or count vectors of length
    ``num_tokens`` (float32), with `tf.math.bincount` as keras's TensorFlow backend does.

    ``(batch, n)`` indices give ``(batch, num_tokens)`` (multi_hot: 1 where a token occurs;
    count: how often, or the sum of ``count_weights``); one_hot of ``(batch,)`` or
    ``(batch, 1)`` gives ``(batch, num_tokens)``. Indices outside ``[0, num_tokens)`` are
    ignored (they add nothing), as in keras. Inputs of higher rank take keras's general path
    (`tf.one_hot`, reduced over axis 1 for multi_hot and count).

    Args:
      num_tokens: Positive integer, the number of categories.
      output_mode: "multi_hot" (default; "binary" is an alias), "one_hot" or "count".
      sparse: Must be False (minikeras returns dense tensors).

    Example:
      >>> import numpy as np
      >>> from minikeras.layers import CategoryEncoding
      >>> CategoryEncoding(4, output_mode="count")(np.array([[0, 1, 1]])).numpy()
      array([[1., 2., 0., 0.]], dtype=float32)
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any):
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in _MODES[1:]:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if not _validation.is_int(num_tokens) or num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens!r}.")
        if _validation.boolean(sparse, "sparse"):
            raise ValueError("minikeras CategoryEncoding returns dense tensors; pass "
                             "sparse=False.")
        super().__init__(**kwargs)
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def call(self, inputs: tf.Tensor, count_weights: Any = None) -> tf.Tensor:
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError("`count_weights` is not used when `output_mode` is not "
                                 f"`'count'`. Received `count_weights={count_weights}`.")
            count_weights = tf.convert_to_tensor(count_weights, tf.float32)
        return _encode(inputs, self.output_mode, self.num_tokens, count_weights)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": self.sparse}


class Discretization(Layer):
    """Buckets continuous values by ``bin_boundaries``: index ``i`` for
    ``boundaries[i-1] <= x < boundaries[i]`` (`tf.raw_ops.Bucketize`, as keras), then encodes
    the indices like `CategoryEncoding` with ``len(bin_boundaries) + 1`` categories.

    minikeras takes the boundaries only: keras's `adapt` (``num_bins``) computes approximate
    quantiles with its own summary algorithm, which minikeras does not reproduce.

    Args:
      bin_boundaries: Sorted list of floats.
      output_mode: "int" (default, int32 indices), "one_hot", "multi_hot" or "count".

    Example:
      >>> import numpy as np
      >>> from minikeras.layers import Discretization
      >>> Discretization([0.0, 1.0])(np.array([[-1.0, 0.5, 2.0]])).numpy()
      array([[0, 1, 2]], dtype=int32)
    """

    _float_inputs = True

    def __init__(self, bin_boundaries: Sequence[float] | None = None, num_bins: int | None = None,
                 epsilon: float = 0.01, output_mode: str = "int", sparse: bool = False,
                 **kwargs: Any):
        if num_bins is not None or bin_boundaries is None:
            raise ValueError("minikeras Discretization needs `bin_boundaries` (adapt with "
                             f"`num_bins` is not supported). Received: num_bins={num_bins}, "
                             f"bin_boundaries={bin_boundaries}")
        boundaries = [float(b) for b in bin_boundaries]
        if any(b > c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"`bin_boundaries` must be sorted. Received: {bin_boundaries}")
        output_mode = _validation.one_of(output_mode, "output_mode", _MODES)
        if _validation.boolean(sparse, "sparse"):
            raise ValueError("minikeras Discretization returns dense tensors; pass sparse=False.")
        super().__init__(**kwargs)
        self.bin_boundaries, self.num_bins = boundaries, None
        self.epsilon, self.output_mode, self.sparse = float(epsilon), output_mode, False

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        indices = tf.raw_ops.Bucketize(input=inputs, boundaries=self.bin_boundaries)
        return _encode(indices, self.output_mode, len(self.bin_boundaries) + 1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return _encoded_shape(input_shape, self.output_mode, len(self.bin_boundaries) + 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "bin_boundaries": list(self.bin_boundaries),
                "num_bins": None, "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse}
