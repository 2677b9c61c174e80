"""Weightless layers of 1-D sequence models and autoencoders: `Cropping1D`, `Cropping2D`,
`UpSampling1D`, `ZeroPadding1D` and `UnitNormalization`, each as keras computes it."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.layers import _spatial
from minikeras.layers.layer import Layer
from minikeras.layers.reshaping import _NoWeights


class Cropping1D(_NoWeights):
    """Removes steps at the start and end of each sequence:
    ``(batch, steps, c) -> (batch, steps - start - end, c)``.

    Args:
      cropping: Default (1, 1). An int (the same at both ends) or ``(start, end)``.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Cropping1D
      >>> Cropping1D((1, 2))(tf.ones((2, 10, 3))).shape
      TensorShape([2, 7, 3])
    """

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any):
        cropping = _spatial.int_tuple(cropping, 2, "cropping", allow_zero=True)
        super().__init__(**kwargs)
        self.cropping = cropping

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, 3)
        length = shape[1]
        if length is not None:
            length -= sum(self.cropping)
            if length <= 0:
                raise ValueError("`cropping` parameter of `Cropping1D` layer must be smaller "
                                 f"than the input length. Received: input_shape={shape}, "
                                 f"cropping={self.cropping}")
        return (shape[0], length, shape[2])

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))
        start, end = self.cropping
        return inputs[:, start:-end if end else None, :]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_NoWeights):
    """Removes rows and columns at the edges of each image:
    ``(batch, h, w, c) -> (batch, h - top - bottom, w - left - right, c)`` (channels_last).

    Args:
      cropping: Default ((0, 0), (0, 0)). An int (the same on all four sides), a tuple of 2
        ints (symmetric height, symmetric width) or ``((top, bottom), (left, right))``.
      data_format: "channels_last" (default, also for None) or "channels_first".

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Cropping2D
      >>> Cropping2D(((2, 2), (4, 4)))(tf.ones((2, 28, 28, 3))).shape
      TensorShape([2, 24, 20, 3])
    """

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any):
        data_format = _spatial.data_format(data_format)
        if _validation.is_int(cropping):
            if cropping < 0:
                raise ValueError(f"`cropping` cannot be negative. Received: cropping={cropping}.")
            cropping = ((int(cropping),) * 2,) * 2
        elif hasattr(cropping, "__len__") and not isinstance(cropping, bytes):
            if len(cropping) != 2:
                raise ValueError(f"`cropping` should have two elements. Received: "
                                 f"cropping={cropping}.")
            cropping = (_spatial.int_tuple(cropping[0], 2, "1st entry of cropping", True),
                        _spatial.int_tuple(cropping[1], 2, "2nd entry of cropping", True))
        else:
            raise ValueError(
                "`cropping` should be either an int, a tuple of 2 ints (symmetric_height_crop, "
                "symmetric_width_crop), or a tuple of 2 tuples of 2 ints ((top_crop, "
                f"bottom_crop), (left_crop, right_crop)). Received: cropping={cropping}.")
        super().__init__(**kwargs)
        self.cropping, self.data_format = cropping, data_format

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_spatial.check_rank(self, input_shape, 4))
        axes = _spatial.spatial_axes(self.data_format, 2)
        if any(shape[a] is not None and sum(c) >= shape[a] for c, a in zip(self.cropping, axes)):
            raise ValueError("Values in `cropping` argument should be smaller than the "
                             "corresponding spatial dimension of the input. Received: "
                             f"input_shape={tuple(shape)}, cropping={self.cropping}")
        for (before, after), axis in zip(self.cropping, axes):
            if shape[axis] is not None:
                shape[axis] -= before + after
        return tuple(shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))
        index = [slice(None)] * 4
        for (before, after), axis in zip(self.cropping, _spatial.spatial_axes(self.data_format,
                                                                               2)):
            index[axis] = slice(before, -after if after else None)
        return inputs[tuple(index)]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class UpSampling1D(_NoWeights):
    """Repeats each step ``size`` times: ``(batch, steps, c) -> (batch, steps * size, c)``.

    Args:
      size: Default 2. Positive integer, the number of repetitions of each step.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import UpSampling1D
      >>> UpSampling1D(3)(tf.ones((2, 4, 5))).shape
      TensorShape([2, 12, 5])
    """

    def __init__(self, size: int = 2, **kwargs: Any):
        if not _validation.is_int(size):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: "
                             f"size={size}")
        super().__init__(**kwargs)
        self.size = int(size)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, 3)
        return (shape[0], None if shape[1] is None else shape[1] * self.size, shape[2])

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.repeat(inputs, self.size, axis=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class ZeroPadding1D(_NoWeights):
    """Adds zero steps at the start and end of each sequence:
    ``(batch, steps, c) -> (batch, start + steps + end, c)`` (channels_last).

    Args:
      padding: Default 1. An int (the same at both ends) or ``(start, end)``.
      data_format: "channels_last" (default, also for None; padding on axis 1) or
        "channels_first" (axis 2).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import ZeroPadding1D
      >>> ZeroPadding1D((1, 2))(tf.ones((2, 3, 4))).shape
      TensorShape([2, 6, 4])
    """

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any):
        data_format = _spatial.data_format(data_format)
        padding = _spatial.int_tuple(padding, 2, "padding", allow_zero=True)
        super().__init__(**kwargs)
        self.padding, self.data_format = padding, data_format

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_spatial.check_rank(self, input_shape, 3))
        axis = _spatial.spatial_axes(self.data_format, 1)[0]
        if shape[axis] is not None:
            shape[axis] += sum(self.padding)
        return tuple(shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        paddings = [[0, 0], [0, 0], [0, 0]]
        paddings[_spatial.spatial_axes(self.data_format, 1)[0]] = list(self.padding)
        return tf.pad(inputs, paddings)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis``: ``x * min(rsqrt(sum(x**2, axis)),
    1e12)`` (as keras: a zero vector stays zero).

    Args:
      axis: Default -1. An int or a list/tuple of ints, the axes normalized together.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import UnitNormalization
      >>> UnitNormalization()(tf.constant([[3.0, 4.0]])).numpy()
      array([[0.6, 0.8]], dtype=float32)
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, axis: Any = -1, **kwargs: Any):
        if isinstance(axis, (list, tuple)):
            if not all(_validation.is_int(a) for a in axis):
                raise TypeError("Invalid value for `axis` argument: expected an int or a "
                                f"list/tuple of ints. Received: axis={axis}")
            axis = [int(a) for a in axis]
        elif _validation.is_int(axis):
            axis = int(axis)
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a "
                            f"list/tuple of ints. Received: axis={axis}")
        super().__init__(**kwargs)
        self.axis = axis
        self._build_at_init()  # as keras: built at once; each call checks the axes

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """[]: no weights (checks that ``axis`` fits the input's rank)."""
        self.compute_output_shape(input_shape)
        return []

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        for axis in [self.axis] if isinstance(self.axis, int) else self.axis:
            if axis >= len(shape) or axis < -len(shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {shape}.")
        return shape

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))
        square_sum = tf.reduce_sum(tf.square(inputs), axis=self.axis, keepdims=True)
        inv_norm = tf.minimum(tf.math.rsqrt(square_sum), 1.0 / 1e-12)
        return inputs * inv_norm

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
