"""Layers that move values without weights: `Reshape`, `Permute`, `RepeatVector`,
`ZeroPadding2D` and `UpSampling2D`, each as keras computes it (dtype kept, batch axis kept)."""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.layers import _spatial
from minikeras.layers.layer import Layer


class _NoWeights(Layer):
    """A layer whose build only checks the input shape (through `compute_output_shape`)."""

    def build(self, input_shape: Any) -> None:
        """Creates nothing; raises ValueError when the input shape does not fit the layer."""
        self.compute_output_shape(input_shape)
        self.built = True

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """[]: no weights (checks the shape as `build` does)."""
        self.compute_output_shape(input_shape)
        return []


class Reshape(Layer):
    """Reshapes each sample: ``(batch, *shape) -> (batch, *target_shape)``.

    One entry of ``target_shape`` may be -1: it is inferred from the sample size.

    Args:
      target_shape: Tuple of integers, the new shape of one sample (without the batch axis).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Reshape
      >>> Reshape((3, 4))(tf.ones((2, 12))).shape
      TensorShape([2, 3, 4])
    """

    def __init__(self, target_shape: Sequence[int], **kwargs: Any):
        if _validation.is_int(target_shape):
            target_shape = (target_shape,)
        if isinstance(target_shape, (str, bytes)) or not hasattr(target_shape, "__iter__"):
            raise TypeError("Expected `target_shape` to be a tuple of integers. Received: "
                            f"target_shape={target_shape!r}")
        target_shape = tuple(target_shape)
        for dim in target_shape:
            if not _validation.is_int(dim) or dim < -1:
                raise ValueError("Each dimension in `target_shape` must be a non-negative "
                                 "integer, or `-1` for a single unknown dimension. Received: "
                                 f"target_shape={target_shape}.")
        if target_shape.count(-1) > 1:
            raise ValueError("There must be at most one unknown dimension (-1) in "
                             f"`target_shape`. Received: target_shape={target_shape}.")
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        self._build_at_init()  # as keras: built at once; `call` checks each input's size

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """[]: no weights (checks that the input size fits ``target_shape``)."""
        self.compute_output_shape(input_shape)
        return []

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) < 1:
            raise ValueError(f"Layer '{self.name}' needs a batch axis. Received input_shape="
                             f"{shape}")
        sample, target = shape[1:], self.target_shape
        if any(d is None for d in sample):
            return (shape[0],) + tuple(None if d == -1 else d for d in target)
        size = math.prod(sample)
        known = math.prod(d for d in target if d != -1)
        if -1 not in target:
            if size != known:
                raise ValueError("The total size of the tensor must be unchanged. Received: "
                                 f"input_shape={sample}, target_shape={target}")
            return (shape[0],) + target
        if known == 0 or size % known:
            raise ValueError("The total size of the tensor must be unchanged, however, the "
                             "input size cannot by divided by the specified dimensions in "
                             f"target_shape. Received: input_shape={sample}, "
                             f"target_shape={target}")
        return (shape[0],) + tuple(size // known if d == -1 else d for d in target)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        resolved = self.compute_output_shape(tuple(inputs.shape.as_list()))[1:]
        return tf.reshape(inputs, [tf.shape(inputs)[0]] + [-1 if d is None else d
                                                           for d in resolved])

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(_NoWeights):
    """Permutes the axes of each sample: ``output = transpose(inputs, (0,) + dims)``.

    Args:
      dims: Tuple of integers, a permutation of ``1..rank-1`` (the batch axis is 0).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Permute
      >>> Permute((2, 1))(tf.ones((2, 10, 64))).shape
      TensorShape([2, 64, 10])
    """

    def __init__(self, dims: Sequence[int], **kwargs: Any):
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__iter__"):
            raise TypeError(f"Expected `dims` to be a tuple of integers. Received: dims={dims!r}")
        dims = tuple(dims)
        if not all(_validation.is_int(d) for d in dims) or \
                sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={dims}")
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, len(self.dims) + 1)
        return (shape[0],) + tuple(shape[d] for d in self.dims)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.transpose(inputs, (0,) + self.dims)

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(_NoWeights):
    """Repeats each sample ``n`` times: ``(batch, features) -> (batch, n, features)``.

    Args:
      n: Positive integer, the number of repetitions.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import RepeatVector
      >>> RepeatVector(3)(tf.ones((2, 32))).shape
      TensorShape([2, 3, 32])
    """

    def __init__(self, n: int, **kwargs: Any):
        if not _validation.is_int(n):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        super().__init__(**kwargs)
        self.n = int(n)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, 2)
        return (shape[0], self.n, shape[1])

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.repeat(tf.expand_dims(inputs, 1), self.n, axis=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


class ZeroPadding2D(_NoWeights):
    """Adds rows and columns of zeros around each image.

    ``(batch, h, w, c) -> (batch, top + h + bottom, left + w + right, c)`` (channels_last).

    Args:
      padding: Default (1, 1). An int (the same on all four sides), a tuple of 2 ints
        (symmetric height, symmetric width) or ``((top, bottom), (left, right))``.
      data_format: "channels_last" (default, also for None) or "channels_first".

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import ZeroPadding2D
      >>> ZeroPadding2D(((1, 0), (2, 2)))(tf.ones((1, 3, 3, 1))).shape
      TensorShape([1, 4, 7, 1])
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any):
        data_format = _spatial.data_format(data_format)
        if _validation.is_int(padding):
            pad = _spatial.int_tuple(padding, 2, "padding", allow_zero=True)
            padding = (pad, pad)
        elif hasattr(padding, "__len__") and not isinstance(padding, (str, bytes)):
            if len(padding) != 2:
                raise ValueError(f"`padding` should have two elements. Received: "
                                 f"padding={padding}.")
            padding = (_spatial.int_tuple(padding[0], 2, "1st entry of padding", True),
                       _spatial.int_tuple(padding[1], 2, "2nd entry of padding", True))
        else:
            raise ValueError(
                "`padding` should be either an int, a tuple of 2 ints (symmetric_height_pad, "
                "symmetric_width_pad), or a tuple of 2 tuples of 2 ints ((top_pad, bottom_pad),"
                f" (left_pad, right_pad)). Received: padding={padding}.")
        super().__init__(**kwargs)
        self.padding, self.data_format = padding, data_format

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_spatial.check_rank(self, input_shape, 4))
        for (before, after), axis in zip(self.padding, _spatial.spatial_axes(self.data_format,
                                                                               2)):
            if shape[axis] is not None:
                shape[axis] += before + after
        return tuple(shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        if self.data_format == "channels_first":
            paddings = [(0, 0), (0, 0), *self.padding]
        else:
            paddings = [(0, 0), *self.padding, (0, 0)]
        return tf.pad(inputs, [list(p) for p in paddings])

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


class UpSampling2D(_NoWeights):
    """Enlarges each image by ``size``: ``(batch, h, w, c) -> (batch, h*sy, w*sx, c)``.

    "nearest" repeats each row ``sy`` times and each column ``sx`` times (as keras, with
    `tf.repeat`); the other interpolations use `tf.image.resize` (no antialiasing), so
    "bilinear" samples at half-pixel centres.

    Args:
      size: Default (2, 2). An int or tuple of 2 ints, the factors for rows and columns.
      data_format: "channels_last" (default, also for None) or "channels_first".
      interpolation: "nearest" (default), "bilinear", "bicubic", "area", "lanczos3",
        "lanczos5".

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import UpSampling2D
      >>> UpSampling2D(2)(tf.ones((1, 3, 3, 4))).shape
      TensorShape([1, 6, 6, 4])
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any):
        data_format = _spatial.data_format(data_format)
        size = _spatial.int_tuple(size, 2, "size")
        method = interpolation.lower() if isinstance(interpolation, str) else interpolation
        if method not in _INTERPOLATIONS:
            raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                             f"{_INTERPOLATIONS}. Received: interpolation={interpolation}")
        super().__init__(**kwargs)
        self.size, self.data_format, self.interpolation = size, data_format, method

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_spatial.check_rank(self, input_shape, 4))
        for factor, axis in zip(self.size, _spatial.spatial_axes(self.data_format, 2)):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        x = inputs
        if self.data_format == "channels_first":
            x = _spatial.to_channels_last(x)
        if self.interpolation == "nearest":
            x = tf.repeat(tf.repeat(x, self.size[0], axis=1), self.size[1], axis=2)
        else:
            shape = tf.shape(x)
            x = tf.image.resize(x, (shape[1] * self.size[0], shape[2] * self.size[1]),
                                method=self.interpolation, antialias=False)
        if self.data_format == "channels_first":
            x = _spatial.to_channels_first(x)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
