"""Preprocessing layers: Normalization (with `adapt`) and Rescaling."""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras.layers.layer import Layer

_EPSILON = 1e-7  # keras's backend.epsilon(): the floor of the standard deviation


def _first_of(batch: Any) -> Any:
    """The inputs of a batch that may be ``(x, y)`` or ``(x, y, sample_weight)``."""
    return batch[0] if isinstance(batch, tuple) else batch


class Normalization(Layer):
    """Standardizes features: ``(x - mean) / max(sqrt(variance), 1e-7)``.

    The mean and variance are given (``mean=``, ``variance=``) or computed by `adapt` from
    data: per position along ``axis``, over every other axis (the batch included), with the
    *population* (biased) variance, exactly as keras computes them: NumPy's ``np.mean`` and
    ``np.var`` for arrays, ``tf.reduce_mean``/``tf.math.reduce_variance`` for tensors, and
    keras's batch-by-batch merge of means and variances for a `tf.data.Dataset` or an
    iterable of batches (a dataset of rank-1 elements is batched by 128 first, as keras does).
    With ``invert=True`` the layer undoes the standardization:
    ``mean + x * max(sqrt(variance), 1e-7)``.

    Adapted statistics are the weights ``mean``, ``variance`` and ``count`` (int64, left at 0
    as keras leaves it), all non-trainable, so they are saved with the weights. Given
    ``mean``/``variance`` are constants kept in the config, and the layer has no weights.

    Args:
      axis: Integer, tuple of integers or None: the axes kept (one statistic per position).
        None means one mean and variance over everything. Default -1.
      mean: Optional values (scalars or arrays broadcastable to the kept axes); with
        ``variance``, or neither.
      variance: Optional values, as ``mean``.
      invert: Map standardized values back. Default False.

    Example:
      >>> import numpy as np
      >>> from minikeras.layers import Normalization
      >>> layer = Normalization()
      >>> layer.adapt(np.array([[0.0], [2.0]]))
      >>> layer(np.array([[4.0]])).numpy()
      array([[3.]], dtype=float32)
    """

    _float_inputs = True
    supports_masking = True  # keras's flag (minikeras has no masks)

    def __init__(self, axis: int | Iterable[int] | None = -1, mean: Any = None,
                 variance: Any = None, invert: bool = False, **kwargs: Any):
        if axis is None:
            axis = ()
        elif _validation.is_int(axis):
            axis = (int(axis),)
        elif isinstance(axis, (list, tuple)) and all(_validation.is_int(a) for a in axis):
            axis = tuple(int(a) for a in axis)
        else:
            raise TypeError("Expected `axis` to be an integer, a tuple of integers or None. "
                            f"Received: axis={axis!r}")
        invert = _validation.boolean(invert, "invert")
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must "
                             f"be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    "When setting values directly, `mean` and `variance` must have the same "
                    f"shape. Received: mean shape {np.shape(mean)} and variance shape "
                    f"{np.shape(variance)}")
            if len(np.shape(mean)) > len(axis):
                raise ValueError(
                    "The rank of `mean` must be less than or equal to the number of axes "
                    f"({len(axis)}). Received: mean shape {np.shape(mean)} for axis {axis}")
        super().__init__(**kwargs)
        self.axis, self.invert = axis, invert
        self.input_mean, self.input_variance = mean, variance
        self.adapt_mean = self.adapt_variance = self.count = None
        self._mean = self._variance = None

    # ---- shapes -------------------------------------------------------------------------
    def _axes(self, input_shape: tuple) -> tuple[tuple, tuple, tuple]:
        """(kept axes, reduced axes, statistics shape) for ``input_shape``; ValueError if an
        axis is out of range or a kept axis has no known size."""
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                f"ndim={ndim} (shape {tuple(input_shape)}, layer '{self.name}'), while "
                f"axis={self.axis}")
        keep = tuple(sorted(a % ndim for a in self.axis))
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. Received "
                    f"axis={self.axis}, inputs.shape={tuple(input_shape)}, with unknown axis "
                    f"at index {d} (layer '{self.name}')")
        reduce = tuple(d for d in range(ndim) if d not in keep)
        return keep, reduce, tuple(int(input_shape[d]) for d in keep)

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]]:
        if self.input_mean is not None:
            self._axes(input_shape)
            return []
        shape = self._axes(input_shape)[2]
        return [("mean", shape), ("variance", shape), ("count", ())]

    def build(self, input_shape: tuple) -> None:
        keep, _, shape = self._axes(input_shape)
        ndim = len(input_shape)
        self._broadcast_shape = [input_shape[d] if d in keep else 1 for d in range(ndim)]
        self._build_shape = tuple(input_shape)
        self._keep = keep
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(shape=shape, initializer="zeros",
                                              trainable=False, name="mean")
            self.adapt_variance = self.add_weight(shape=shape, initializer="ones",
                                                  trainable=False, name="variance")
            self.count = self.add_weight(shape=(), dtype=tf.int64, initializer="zeros",
                                         trainable=False, name="count")
        else:
            self._mean = self._given(self.input_mean, keep, ndim)
            self._variance = self._given(self.input_variance, keep, ndim)
        self.built = True

    def _given(self, value: Any, keep: tuple, ndim: int) -> tf.Tensor:
        """A given mean or variance broadcast to the input's rank, as keras does."""
        value = tf.convert_to_tensor(value)
        if value.shape.rank:
            expanded = [1] * ndim
            for i in range(1, value.shape.rank + 1):
                expanded[keep[-i]] = value.shape[-i]
            value = tf.reshape(value, expanded)
        return tf.cast(tf.broadcast_to(value, self._broadcast_shape), tf.float32)

    @property
    def mean(self) -> tf.Tensor | None:
        """The mean the layer subtracts, broadcast to the input's rank (keras's attribute:
        shape 1 on the reduced axes); None before the layer is built."""
        if not self.built:
            return None
        if self.input_mean is None:
            return tf.reshape(self.adapt_mean, self._broadcast_shape)
        return self._mean

    @property
    def variance(self) -> tf.Tensor | None:
        """The variance, broadcast like `mean`; None before the layer is built."""
        if not self.built:
            return None
        if self.input_mean is None:
            return tf.reshape(self.adapt_variance, self._broadcast_shape)
        return self._variance

    # ---- adapting -----------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Computes the mean and (population) variance of ``data``, then stores them.

        Args:
          data: A NumPy array, a tensor, a `tf.data.Dataset` (batched; a dataset of rank-1
            elements is batched by 128), or an iterable of batches. ``(x, y)`` batches use x.

        Raises:
          ValueError: If the layer was given ``mean``/``variance``, if the data is empty, or
            if its shape does not fit the axes or the shape the layer was built with. The
            layer is left unchanged (and unbuilt if it was) on any error.
        """
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was given `mean` and `variance`; adapt() "
                             "would have nothing to set.")
        batches = None
        if isinstance(data, (np.ndarray, tf.Tensor)):
            shape = tuple(data.shape)
        elif isinstance(data, tf.data.Dataset):
            spec = _first_of(data.element_spec)
            if len(spec.shape) == 1:
                data = data.batch(128)
            shape, batches = tuple(_first_of(data.element_spec).shape), data
        elif hasattr(data, "__iter__") and not isinstance(data, (str, bytes, dict)):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(f"Layer '{self.name}': adapt() received an empty iterable (no "
                                 "batches). Pass a non-empty array, dataset or list of batches.")
            first = _first_of(first)
            if not hasattr(first, "shape"):
                raise TypeError("adapt() expects an iterable that yields arrays or tensors "
                                f"with a `.shape`. Got an element of type {type(first).__name__}")
            shape, batches = tuple(first.shape), itertools.chain([first], iterator)
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports "
                            "`np.ndarray`, tensors, `tf.data.Dataset` and iterables of batches.")
        keep, reduce, stat_shape = self._axes(shape)
        if self.built and any(shape[d] != self._build_shape[d] for d in keep):
            raise ValueError(f"The layer was built with input_shape={self._build_shape}, but "
                             "adapt() is being called with data with an incompatible shape, "
                             f"data.shape={shape}")
        if batches is None:
            if any(shape[d] == 0 for d in reduce) or 0 in shape:
                raise ValueError(f"Layer '{self.name}': adapt() received empty data of shape "
                                 f"{shape}; there is nothing to compute a mean from.")
            if isinstance(data, np.ndarray):
                if data.dtype.kind not in "biuf":
                    raise TypeError(f"adapt() expects numeric data. Received dtype {data.dtype}")
                mean, var = np.mean(data, axis=reduce), np.var(data, axis=reduce)
            else:
                x = data if data.dtype.is_floating else tf.cast(data, tf.float32)
                mean = tf.reduce_mean(x, axis=reduce)
                var = tf.math.reduce_variance(x, axis=reduce)
        else:
            mean, var = self._merge_batches(batches, keep, reduce, stat_shape, shape)
        if not self.built:
            self.build(shape)
        self.adapt_mean.assign(tf.cast(tf.reshape(mean, stat_shape), tf.float32))
        self.adapt_variance.assign(tf.cast(tf.reshape(var, stat_shape), tf.float32))

    def _merge_batches(self, batches: Iterable, keep: tuple, reduce: tuple, stat_shape: tuple,
                       shape: tuple) -> tuple[tf.Tensor, tf.Tensor]:
        """keras's streaming merge of per-batch means and variances (float32)."""
        total_mean = tf.zeros(stat_shape)
        total_var = tf.zeros(stat_shape)
        total_count = 0
        for batch in batches:
            batch = tf.cast(tf.convert_to_tensor(_first_of(batch)), tf.float32)
            if batch.shape.rank != len(shape) or any(
                    batch.shape[d] != shape[d] for d in keep):
                raise ValueError(f"adapt() yielded a batch with incompatible shape. Expected "
                                 f"{shape}, got {tuple(batch.shape)}.")
            count = math.prod(batch.shape[d] for d in reduce) if reduce else 1
            if count == 0:
                continue
            batch_mean = tf.reduce_mean(batch, axis=reduce)
            batch_var = tf.math.reduce_variance(batch, axis=reduce)
            total_count += count
            batch_weight = float(count) / total_count
            existing_weight = 1.0 - batch_weight
            new_mean = total_mean * existing_weight + batch_mean * batch_weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * existing_weight + (
                batch_var + (batch_mean - new_mean) ** 2) * batch_weight
            total_mean = new_mean
        if total_count == 0:
            raise ValueError(f"Layer '{self.name}': adapt() received no data (the dataset has "
                             "no elements); there is nothing to compute a mean from.")
        return total_mean, total_var

    # ---- calling ------------------------------------------------------------------------
    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        mean, variance = self.mean, self.variance
        std = tf.maximum(tf.sqrt(variance), _EPSILON)
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        def plain(v: Any) -> Any:
            return None if v is None else np.array(v).tolist()

        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}


class Rescaling(Layer):
    """Rescales inputs: ``x * scale + offset`` (in float32).

    Args:
      scale: A float, or a list/array broadcast against the inputs (e.g. one per channel).
      offset: A float or array. Default 0.0.

    Example:
      >>> import numpy as np
      >>> from minikeras.layers import Rescaling
      >>> Rescaling(1 / 255)(np.array([[255.0]])).numpy()
      array([[1.]], dtype=float32)
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any):
        for arg, value in (("scale", scale), ("offset", offset)):
            array = np.asarray(value)
            if array.dtype.kind not in "biuf" or not np.all(np.isfinite(array)):
                raise ValueError(f"Expected `{arg}` to be a finite float or array of floats. "
                                 f"Received: {arg}={value!r}")
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return inputs * tf.cast(self.scale, tf.float32) + tf.cast(self.offset, tf.float32)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        def plain(v: Any) -> Any:
            return np.array(v).tolist() if isinstance(v, (np.ndarray, list, tuple)) else (
                float(v))

        return {**super().get_config(), "scale": plain(self.scale),
                "offset": plain(self.offset)}
