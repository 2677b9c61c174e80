"""Categorical preprocessing layers: CategoryEncoding and Discretization (given boundaries,
or adapted to quantiles of the data)."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras.layers import _quantiles
from minikeras.layers.layer import Layer


def _encode(indices: tf.Tensor, output_mode: str, depth: int,
            count_weights: tf.Tensor | None = None) -> tf.Tensor:
    """keras's TensorFlow encoding of integer indices: "int", or one/multi-hot and counts
    through `tf.math.bincount` over the last axis (indices outside [0, depth) are ignored)."""
    if output_mode == "int":
        return tf.cast(indices, tf.int32)
    if indices.shape.rank == 0:
        indices = indices[None]
    if output_mode == "one_hot":  # keras: a last axis of size 1 is replaced by the depth
        if indices.shape.rank > 1 and indices.shape[-1] == 1:
            indices = tf.squeeze(indices, -1)
        return tf.one_hot(indices, depth)
    if indices.shape.rank > 2:  # keras's general path: one_hot, reduced over axis 1
        one_hot = tf.one_hot(indices, depth)
        if output_mode == "count":
            if count_weights is not None:
                one_hot = one_hot * count_weights[..., None]
            return tf.reduce_sum(one_hot, axis=1)
        return tf.reduce_max(one_hot, axis=1)
    out = tf.math.bincount(tf.cast(indices, tf.int32), weights=count_weights, minlength=depth,
                           maxlength=depth, dtype=tf.float32, axis=-1,
                           binary_output=output_mode != "count")
    out.set_shape(indices.shape[:-1].concatenate([depth]))  # bincount's static shape is unknown
    return out


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
    """Buckets continuous values: index ``i`` for ``boundaries[i-1] <= x < boundaries[i]``
    (`tf.raw_ops.Bucketize`, as keras), then encodes the indices like `CategoryEncoding` with
    ``len(bin_boundaries) + 1`` categories.

    The boundaries are given, or computed by `adapt` as ``num_bins`` approximate quantiles
    of the data with keras's own summary algorithm (`_quantiles.py`), so an adapted layer
    has keras's boundaries for the same data.

    Args:
      bin_boundaries: Sorted list of floats; or None with ``num_bins``.
      num_bins: Integer >= 0, the number of bins `adapt` computes; or None.
      epsilon: Error tolerance of the quantile summary (about ``1 / epsilon`` entries).
        Default 0.01.
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
        if _validation.boolean(sparse, "sparse"):
            raise ValueError("minikeras Discretization returns dense tensors; pass sparse=False.")
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of "
                             f"{list(_MODES)}. Received: output_mode={output_mode}")
        if num_bins is not None and (not _validation.is_int(num_bins) or num_bins < 0):
            raise ValueError("`num_bins` must be greater than or equal to 0. "
                             f"Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. "
                             f"Received: `num_bins={num_bins}` and "
                             f"`bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in bin_boundaries]
            if any(b > c for b, c in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"`bin_boundaries` must be sorted. Received: {bin_boundaries}")
        epsilon = _validation.real(epsilon, "epsilon")
        super().__init__(**kwargs)
        self.bin_boundaries = bin_boundaries
        self.num_bins = None if num_bins is None else int(num_bins)
        self.epsilon, self.output_mode, self.sparse = epsilon, output_mode, False
        self.summary = None if bin_boundaries else _quantiles.empty()

    @property
    def output_dtype(self) -> str:
        """int32 for "int" output, else float32 (keras's property)."""
        return "int32" if self.output_mode == "int" else "float32"

    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Sets ``bin_boundaries`` to ``num_bins`` approximate quantiles of ``data``, as keras.

        Args:
          data: An array or tensor, a batched `tf.data.Dataset`, or an iterable of batches
            (a list of arrays, a generator...).
          steps: Optional number of batches to read (for an endless dataset or generator).

        Raises:
          ValueError: if the layer was made with ``bin_boundaries``, or the data is empty
            (the layer is then unchanged).
        """
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        if isinstance(data, tf.data.Dataset):
            batches = iter(data if steps is None else data.take(steps))
        elif hasattr(data, "__iter__") and not isinstance(data, (np.ndarray, tf.Tensor)):
            batches = iter(data) if steps is None else itertools.islice(data, steps)
        else:
            batches = iter([data])
        summary = _quantiles.empty()
        for batch in batches:
            batch = batch[0] if isinstance(batch, tuple) else batch
            summary = _quantiles.merge(_quantiles.summarize(
                np.asarray(batch, dtype="float32"), self.epsilon), summary, self.epsilon)
        if summary.shape[1] == 0:
            raise ValueError(f"Layer '{self.name}': adapt() received no data; there is "
                             "nothing to compute quantiles from.")
        self.summary = summary
        self.bin_boundaries = _quantiles.bin_boundaries(summary, self.num_bins).tolist()

    def _check_input_shape(self, shape: tf.TensorShape, expected: tuple | None = None) -> None:
        """Elementwise: any input shape, whatever shape it was first called on (keras)."""

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        indices = tf.raw_ops.Bucketize(input=inputs, boundaries=self.bin_boundaries)
        return _encode(indices, self.output_mode, len(self.bin_boundaries) + 1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """keras's rule: int keeps the shape; one_hot adds the depth (replacing a last 1);
        multi_hot and count drop axis 1 and add the depth."""
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def get_config(self) -> dict:
        boundaries = None if self.bin_boundaries is None else list(self.bin_boundaries)
        return {**super().get_config(), "bin_boundaries": boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode, "sparse": self.sparse}

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        """As keras: an adapted layer's config has both ``num_bins`` and ``bin_boundaries``;
        the boundaries are set after construction."""
        config = dict(config)
        boundaries = config.get("bin_boundaries")
        if boundaries is not None and config.get("num_bins") is not None:
            config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = list(boundaries)
            return layer
        return cls(**config)
