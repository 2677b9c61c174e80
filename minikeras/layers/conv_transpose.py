"""Transposed convolutions: `Conv1DTranspose` and `Conv2DTranspose` (keras's "deconvolution").

The transpose of `Conv1D`/`Conv2D`: each input position scatters ``kernel * value`` into a
window of the output, windows ``strides`` apart. Output sizes and values follow keras's
(``compute_conv_transpose_output_shape``; values as keras computes them with
`tf.nn.conv_transpose`). minikeras also computes what keras's TensorFlow backend refuses on
CPU: channels_first inputs (transposed around the op), ``dilation_rate > 1`` (the kernel is
dilated with zeros) and "same" padding with an even kernel and ``output_padding=0`` (the
values keras's JAX backend gives).
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.layers import _spatial
from minikeras.layers.convolution import _Conv


def output_length(size: int | None, kernel: int, stride: int, padding: str,
                  output_padding: int | None, dilation: int) -> int | None:
    """keras's transposed-convolution output length along one axis (None stays None).

    With ``k = (kernel - 1) * dilation + 1``: "valid" gives ``(size - 1) * stride + k +
    output_padding`` (``output_padding`` None means ``max(k, stride) - k``); "same" gives
    ``size * stride``, or ``(size - 1) * stride + k % 2 + output_padding`` when given.
    """
    if size is None:
        return None
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


def _crop(kernel: int, stride: int, padding: str, output_padding: int | None) -> tuple[int, int]:
    """``(begin, end)``: where the output starts in the full transposed convolution (of
    length ``(size - 1) * stride + kernel``), and how many steps it runs past (> 0: zeros
    appended) or stops before (< 0) its end. Both depend only on the layer's arguments."""
    if padding == "valid":
        return 0, (max(kernel, stride) - kernel if output_padding is None else output_padding)
    if output_padding is None:  # output size * stride, as TensorFlow pads a "same" conv
        begin = max(kernel - stride, 0) // 2
        return begin, stride - kernel + begin
    begin = max(kernel - kernel % 2 - output_padding, 0) // 2
    return begin, kernel % 2 + output_padding - kernel + begin


def _dilate(kernel: tf.Tensor, dilation: tuple[int, ...]) -> tf.Tensor:
    """The kernel with ``dilation - 1`` zeros inserted between its taps on each axis."""
    for axis, d in enumerate(dilation):
        if d == 1:
            continue
        shape = kernel.shape.as_list()
        stacked = tf.stack([kernel] + [tf.zeros_like(kernel)] * (d - 1), axis=axis + 1)
        spread = tf.reshape(stacked, shape[:axis] + [shape[axis] * d] + shape[axis + 1:])
        kernel = tf.gather(spread, tf.range((shape[axis] - 1) * d + 1), axis=axis)
    return kernel


class _ConvTranspose(_Conv):
    """Shared N-D transposed convolution (keras's BaseConvTranspose): subclasses set
    ``_rank``. Arguments are checked by `_Conv` (as keras), plus ``output_padding``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any):
        if "groups" in kwargs:  # keras's transposed convolutions have no groups
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{{'groups': {kwargs['groups']!r}}}")
        padding = _spatial.padding(padding)  # no "causal", even in 1-D
        rank = self._rank
        if output_padding is not None:
            output_padding = _spatial.int_tuple(output_padding, rank, "output_padding",
                                                allow_zero=True)
            strides_t = _spatial.int_tuple(strides, rank, "strides")
            for i, (op, s) in enumerate(zip(output_padding, strides_t)):
                if op >= s:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {op} but "
                        f"`strides` is {s}. Received: output_padding={output_padding}, "
                        f"strides={strides_t}")
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=1,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        self.output_padding = output_padding

    def _output_padding(self, i: int) -> int | None:
        return None if self.output_padding is None else self.output_padding[i]

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """``kernel`` of shape ``kernel_size + (filters, input_channels)`` (keras's layout:
        output channels before input channels), then ``bias`` of ``(filters,)``."""
        channels = self._input_channels(input_shape)
        shapes = [("kernel", self.kernel_size + (self.filters, channels))]
        return shapes + [("bias", (self.filters,))] if self.use_bias else shapes

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(_spatial.check_rank(self, input_shape, self._rank + 2))
        for i, axis in enumerate(_spatial.spatial_axes(self.data_format, self._rank)):
            if shape[axis] is not None and shape[axis] < 1:
                raise ValueError(
                    f"Layer '{self.name}' needs at least one step along each spatial axis. "
                    f"Received input_shape={tuple(input_shape)}")
            shape[axis] = output_length(shape[axis], self.kernel_size[i], self.strides[i],
                                        self.padding, self._output_padding(i),
                                        self.dilation_rate[i])
        shape[_spatial.channel_axis(self.data_format)] = self.filters
        return tuple(shape)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))  # static checks
        channels = inputs.shape[_spatial.channel_axis(self.data_format)]
        if channels is not None and channels != self.kernel.shape[-1]:
            raise ValueError(
                "The number of input channels must match the kernel's input channels. "
                f"Received: input channels={channels}, kernel input channels="
                f"{self.kernel.shape[-1]}, data_format='{self.data_format}'.")
        x = inputs
        if self.data_format == "channels_first":  # TensorFlow's CPU op is channels-last only
            x = _spatial.to_channels_last(x)
        kernel = _dilate(tf.convert_to_tensor(self.kernel), self.dilation_rate)
        sizes = kernel.shape.as_list()[:-2]
        # The full transposed convolution ("valid", no output padding), then the window
        # keras's padding selects: TensorFlow's "same" refuses some sizes keras defines.
        static, dynamic = x.shape.as_list(), tf.shape(x)
        size = [dynamic[i] if n is None else n for i, n in enumerate(static)]
        full = [(size[i + 1] - 1) * s + k for i, (s, k) in enumerate(zip(self.strides, sizes))]
        outputs = tf.nn.conv_transpose(x, kernel, tf.stack([size[0], *full, self.filters]),
                                       list(self.strides), padding="VALID")
        index, pads = [slice(None)], [[0, 0]]
        for i, (k, s) in enumerate(zip(sizes, self.strides)):
            begin, end = _crop(k, s, self.padding, self._output_padding(i))
            index.append(slice(begin, end if end < 0 else None))
            pads.append([0, max(end, 0)])
        outputs = outputs[tuple(index)]
        if any(p[1] for p in pads):
            outputs = tf.pad(outputs, pads + [[0, 0]])
        if self.use_bias:
            outputs = outputs + self.bias
        if self.data_format == "channels_first":
            outputs = _spatial.to_channels_first(outputs)
        return self.activation(outputs)

    def get_config(self) -> dict:
        config = {k: v for k, v in super().get_config().items() if k != "groups"}
        return {**config, "output_padding": self.output_padding}


class Conv1DTranspose(_ConvTranspose):
    """1-D transposed convolution: ``(batch, steps, channels) -> (batch, new_steps, filters)``.

    ``out[b, t * s + i * d, f] += x[b, t, c] * kernel[i, f, c]`` over the full output of
    length ``(steps - 1) * s + (k - 1) * d + 1``, from which the padding picks the window:
    "valid" keeps it all, plus ``output_padding`` zero steps at the end (None: ``max(k', s) -
    k'`` with ``k' = (k - 1) * d + 1``), so ``new_steps = (steps - 1) * s + k' +
    output_padding``; "same" gives ``new_steps = steps * s`` (or ``(steps - 1) * s + k' % 2 +
    output_padding``) centred as TensorFlow's "same". Then ``activation(out + bias)``. The
    kernel has shape ``(kernel_size, filters, channels)``.

    Args:
      filters: Positive integer, the number of output channels.
      kernel_size: Integer or tuple of 1 integer, the window length.
      strides: Default 1.
      padding: "valid" (default) or "same".
      output_padding: Default None; else an integer (or tuple of 1) smaller than ``strides``,
        the steps added at the end of the output.
      data_format: "channels_last" (default, also for None) or "channels_first".
      dilation_rate: Default 1 (strides > 1 and dilation_rate > 1 together are refused).
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
      >>> from minikeras.layers import Conv1DTranspose
      >>> Conv1DTranspose(4, 3, strides=2, padding="same")(tf.ones((2, 10, 3))).shape
      TensorShape([2, 20, 4])
    """

    _rank = 1


class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution, the upsampling convolution of decoders and GAN generators:
    ``(batch, h, w, channels) -> (batch, new_h, new_w, filters)`` (channels_last).

    ``out[b, y*sy + i*dy, x*sx + j*dx, f] += in[b, y, x, c] * kernel[i, j, f, c]``, then
    ``activation(out + bias)``. Along each axis, with ``k' = (k - 1) * d + 1``: "valid" gives
    ``(size - 1) * s + k' + output_padding`` (None: ``max(k', s) - k'``), "same" gives
    ``size * s`` (or ``(size - 1) * s + k' % 2 + output_padding``). The kernel has shape
    ``kernel_size + (filters, channels)``.

    Args:
      filters: Positive integer, the number of output channels.
      kernel_size: Integer or tuple of 2 integers, the window height and width.
      strides: Default 1.
      padding: "valid" (default) or "same".
      output_padding: Default None; else an integer or tuple of 2, each smaller than its
        stride, the rows/columns added at the end of the output.
      data_format: "channels_last" (default, also for None) or "channels_first".
      dilation_rate: Default 1 (strides > 1 and dilation_rate > 1 together are refused).
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
      >>> from minikeras.layers import Conv2DTranspose
      >>> Conv2DTranspose(32, 2, 2, activation="relu")(tf.ones((4, 10, 8, 128))).shape
      TensorShape([4, 20, 16, 32])
    """

    _rank = 2
