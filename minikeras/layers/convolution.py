"""Convolution layers: `Conv1D` and `Conv2D`, ``activation(conv(inputs, kernel) + bias)``.

Both run on `tf.nn.convolution` (oneDNN on CPU, cuDNN on GPU), as keras's TensorFlow backend
does, so outputs and gradients match keras's to float32 rounding.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation, activations, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers import _spatial
from minikeras.layers.dense import activation_name
from minikeras.layers.layer import Layer


def serialize_optional(obj: Any, module: Any) -> Any:
    """None, or a registered object's config, or a by-name reference to a custom one."""
    return None if obj is None else serialize_or_custom(obj, module.serialize)


class _Conv(Layer):
    """Shared N-D convolution (keras's BaseConv): subclasses set ``_rank``."""

    _rank = 2
    _float_inputs = True

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs: Any):
        rank = self._rank
        if not _validation.is_int(filters) or filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters!r}.")
        if not _validation.is_int(groups) or groups <= 0:
            raise ValueError("The number of groups must be a positive integer. "
                             f"Received: groups={groups!r}.")
        if filters % groups:
            raise ValueError("The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        kernel_size = _spatial.int_tuple(kernel_size, rank, "kernel_size")
        strides = _spatial.int_tuple(strides, rank, "strides")
        dilation_rate = _spatial.int_tuple(dilation_rate, rank, "dilation_rate")
        if max(strides) > 1 and max(dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > "
                             f"1`. Received: strides={strides} and "
                             f"dilation_rate={dilation_rate}")
        padding = _spatial.padding(padding, ("valid", "same", "causal") if rank == 1
                                   else ("valid", "same"))
        data_format = _spatial.data_format(data_format)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters, self.groups = int(filters), int(groups)
        self.kernel_size, self.strides, self.dilation_rate = kernel_size, strides, dilation_rate
        self.padding, self.data_format = padding, data_format
        self.activation = activations.get(activation)
        self.use_bias = _validation.boolean(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel: tf.Variable | None = None
        self.bias: tf.Variable | None = None

    # ---- shapes -------------------------------------------------------------------------
    def _input_channels(self, input_shape: Any) -> int:
        shape = _spatial.check_rank(self, input_shape, self._rank + 2)
        channels = shape[_spatial.channel_axis(self.data_format)]
        if channels is None:
            raise ValueError(
                f"Layer '{self.name}' needs a known channel dimension (axis "
                f"{_spatial.channel_axis(self.data_format)} with data_format="
                f"'{self.data_format}'). Received input_shape={shape}")
        if channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the number of "
                f"groups. Received groups={self.groups}, but the input has {channels} channels "
                f"(full input shape is {shape}).")
        self.compute_output_shape(shape)  # a "valid" kernel larger than the input fails here
        return int(channels)

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """``kernel`` of shape ``kernel_size + (channels // groups, filters)``, then ``bias``
        of ``(filters,)``."""
        channels = self._input_channels(input_shape)
        shapes = [("kernel", self.kernel_size + (channels // self.groups, self.filters))]
        return shapes + [("bias", (self.filters,))] if self.use_bias else shapes

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, self._rank + 2)
        return _spatial.window_output_shape(
            shape, self.kernel_size, self.strides, self.padding, self.data_format,
            self.dilation_rate, channels=self.filters)

    # ---- building and calling -----------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Creates ``kernel`` and (if ``use_bias``) ``bias``; raises ValueError for a wrong
        rank, an unknown or indivisible channel dimension, or a kernel that does not fit."""
        (_, kernel_shape), *rest = self.weight_shapes(input_shape)
        self.kernel = self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, trainable=True,
                                      name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, trainable=True,
                                        name="bias")
        self.built = True

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))  # static check: fits?
        x = inputs
        # TensorFlow's CPU kernels support only channels-last; keras's channels_first
        # convolution fails on CPU. Transposing gives the same numbers on every device.
        if self.data_format == "channels_first":
            x = _spatial.to_channels_last(x)
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        conv = lambda x, k: tf.nn.convolution(  # noqa: E731
            x, k, strides=list(self.strides), padding=padding.upper(),
            dilations=list(self.dilation_rate))
        if self.groups == 1:
            outputs = conv(x, self.kernel)
        else:  # grouped: TensorFlow's CPU kernel refuses it; each group is its own conv
            outputs = tf.concat([conv(xg, kg) for xg, kg in zip(
                tf.split(x, self.groups, axis=-1),
                tf.split(tf.convert_to_tensor(self.kernel), self.groups, axis=-1))], axis=-1)
        if self.use_bias:
            outputs = outputs + self.bias
        if self.data_format == "channels_first":
            outputs = _spatial.to_channels_first(outputs)
        return self.activation(outputs)

    # ---- configuration ------------------------------------------------------------------
    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activation_name(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": serialize_or_custom(self.kernel_initializer,
                                                          initializers.serialize),
                "bias_initializer": serialize_or_custom(self.bias_initializer,
                                                        initializers.serialize),
                "kernel_regularizer": serialize_optional(self.kernel_regularizer, regularizers),
                "bias_regularizer": serialize_optional(self.bias_regularizer, regularizers),
                "kernel_constraint": serialize_optional(self.kernel_constraint, constraints),
                "bias_constraint": serialize_optional(self.bias_constraint, constraints)}


class Conv1D(_Conv):
    """1-D convolution over steps: ``out[b, t, f] = activation(bias[f] + sum_{i, c}
    x[b, t * s + i * d, c] * kernel[i, c, f])`` (cross-correlation, as keras).

    Inputs ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``;
    the kernel has shape ``(kernel_size, channels // groups, filters)``.

    Args:
      filters: Positive integer, the number of output channels.
      kernel_size: Integer or tuple of 1 integer, the window length.
      strides: Default 1.
      padding: "valid" (default), "same" or "causal" (left-padded so that output t sees only
        inputs <= t).
      data_format: "channels_last" (default, also for None) or "channels_first".
      dilation_rate: Default 1 (strides > 1 and dilation_rate > 1 together are refused).
      groups: Default 1; input channels and filters must be divisible by it.
      activation: Default None (linear).
      use_bias: Default True.
      kernel_initializer: Default "glorot_uniform".
      bias_initializer: Default "zeros".
      kernel_regularizer: Default None.
      bias_regularizer: Default None.
      activity_regularizer: Default None.
      kernel_constraint: Default None.
      bias_constraint: Default None.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Conv1D
      >>> Conv1D(4, 3)(tf.ones((2, 10, 3))).shape
      TensorShape([2, 8, 4])
    """

    _rank = 1


class Conv2D(_Conv):
    """2-D convolution over images: ``out[b, y, x, f] = activation(bias[f] +
    sum_{i, j, c} in[b, y*sy + i*dy, x*sx + j*dx, c] * kernel[i, j, c, f])``.

    Inputs ``(batch, height, width, channels)`` (channels_last) or ``(batch, channels,
    height, width)``; the kernel has shape ``kernel_size + (channels // groups, filters)``.
    "same" padding pads as TensorFlow does (the extra row/column goes after).
    channels_first inputs are transposed to channels_last around the convolution (TensorFlow's
    CPU kernels support only channels-last; keras's own channels_first Conv2D fails on CPU).

    Args:
      filters: Positive integer, the number of output channels.
      kernel_size: Integer or tuple of 2 integers, the window height and width.
      strides: Default 1.
      padding: "valid" (default) or "same".
      data_format: "channels_last" (default, also for None) or "channels_first".
      dilation_rate: Default 1 (strides > 1 and dilation_rate > 1 together are refused).
      groups: Default 1; input channels and filters must be divisible by it.
      activation: Default None (linear).
      use_bias: Default True.
      kernel_initializer: Default "glorot_uniform".
      bias_initializer: Default "zeros".
      kernel_regularizer: Default None.
      bias_regularizer: Default None.
      activity_regularizer: Default None.
      kernel_constraint: Default None.
      bias_constraint: Default None.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Conv2D
      >>> Conv2D(8, 3, padding="same", activation="relu")(tf.ones((2, 28, 28, 1))).shape
      TensorShape([2, 28, 28, 8])
    """

    _rank = 2
