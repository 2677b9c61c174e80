"""Argument checks and shape arithmetic shared by the convolution, pooling and reshaping layers,
with keras's wording (keras/src/utils/argument_validation.py, keras/src/ops/operation_utils.py)."""
from __future__ import annotations

import math
from typing import Any

import tensorflow as tf

from minikeras import _validation

DATA_FORMATS = ("channels_last", "channels_first")


def data_format(value: Any) -> str:
    """``"channels_last"`` for None (keras's default image_data_format), else the lower-cased
    value if it is one of the two formats; a ValueError otherwise."""
    if value is None:
        return "channels_last"
    fmt = str(value).lower()
    if fmt not in DATA_FORMATS:
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={value}")
    return fmt


def int_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or ``n`` ints as a tuple of ``n`` positive (or, with ``allow_zero``,
    non-negative) Python ints (keras's ``standardize_tuple``)."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if _validation.is_int(value):
        values = (int(value),) * n
    else:
        if isinstance(value, (str, bytes, bool)) or not hasattr(value, "__iter__"):
            raise ValueError(message)
        values = tuple(value)
        if len(values) != n:
            raise ValueError(message)
        for v in values:
            if not _validation.is_int(v):
                raise ValueError(f"{message} including element {v!r} of type {type(v)}")
        values = tuple(int(v) for v in values)
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        requirement = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {requirement}`")
    return values


def padding(value: Any, allowed: tuple[str, ...] = ("valid", "same")) -> str:
    """The lower-cased padding mode if it is one of ``allowed``, else a ValueError."""
    mode = value.lower() if isinstance(value, str) else value
    if mode not in allowed:
        raise ValueError(f"The `padding` argument must be one of {set(allowed)}. "
                         f"Received: padding={value!r}")
    return mode


def check_rank(layer: Any, input_shape: Any, ndim: int) -> tuple:
    """``input_shape`` as a tuple if it has rank ``ndim``; else keras's InputSpec error,
    naming the layer and the shape."""
    shape = tuple(input_shape) if input_shape is not None else None
    if shape is None or len(shape) != ndim:
        found = "unknown" if shape is None else len(shape)
        raise ValueError(f'Input 0 of layer "{layer.name}" is incompatible with the layer: '
                         f"expected ndim={ndim}, found ndim={found}. Full shape received: "
                         f"{shape}")
    return shape


def spatial_axes(fmt: str, rank: int) -> list[int]:
    """Positions of the ``rank`` spatial axes in an input of ``rank + 2`` dimensions."""
    return list(range(1, rank + 1)) if fmt == "channels_last" else list(range(2, rank + 2))


def channel_axis(fmt: str) -> int:
    return -1 if fmt == "channels_last" else 1


def window_output_shape(input_shape: tuple, window: tuple, strides: tuple, mode: str,
                        fmt: str, dilation: tuple | None = None,
                        channels: int | None = None, what: str = "kernel") -> tuple:
    """Output shape of a sliding window (convolution or pooling) over the spatial axes, as
    keras's compute_conv_output_shape / compute_pooling_output_shape; ``channels`` replaces
    the channel dimension (a convolution's filters). Raises a ValueError when a "valid"
    window does not fit in the input."""
    rank = len(window)
    dilation = dilation or (1,) * rank
    axes = spatial_axes(fmt, rank)
    out = list(input_shape)
    for i, axis in enumerate(axes):
        size = input_shape[axis]
        if size is None:
            continue
        if mode == "valid":
            length = math.floor((size - dilation[i] * (window[i] - 1) - 1) / strides[i]) + 1
            if length <= 0:
                raise ValueError(
                    f"Computed output size would be zero or negative: the {what} "
                    f"{tuple(window)} (dilation_rate={tuple(dilation)}, "
                    f"strides={tuple(strides)}, padding='valid') does not fit in inputs of "
                    f"shape {tuple(input_shape)}.")
        else:  # "same" and "causal"
            length = math.floor((size - 1) / strides[i]) + 1
        out[axis] = length
    if channels is not None:
        out[channel_axis(fmt)] = channels
    return tuple(out)


def to_channels_last(x: tf.Tensor) -> tf.Tensor:
    """``(batch, channels, *spatial) -> (batch, *spatial, channels)``."""
    rank = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, rank)) + [1])


def to_channels_first(x: tf.Tensor) -> tf.Tensor:
    """``(batch, *spatial, channels) -> (batch, channels, *spatial)``."""
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))
