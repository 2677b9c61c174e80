"""keras.src.backend.common.backend_utils: the transposed-convolution shape arithmetic keras's
conv_transpose tests use to build their NumPy reference (test plumbing, pure Python; the
formulas of keras's module)."""
from __future__ import annotations


def _as_tuple(value, n):
    return (value,) * n if value is None or isinstance(value, int) else tuple(value)


def _output_length(size, kernel, stride, padding, output_padding, dilation):
    if size is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding.lower() == "valid":
        extra = max(kernel, stride) - kernel if output_padding is None else output_padding
        return (size - 1) * stride + kernel + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel % 2 + output_padding


def compute_conv_transpose_output_shape(input_shape, kernel_size, filters, strides, padding,
                                        output_padding=None, data_format="channels_last",
                                        dilation_rate=1):
    rank = len(input_shape) - 2
    strides, dilation = _as_tuple(strides, rank), _as_tuple(dilation_rate, rank)
    output_padding = _as_tuple(output_padding, rank)
    spatial = input_shape[1:-1] if data_format == "channels_last" else input_shape[2:]
    out = [_output_length(spatial[i], kernel_size[i], strides[i], padding, output_padding[i],
                          dilation[i]) for i in range(rank)]
    if data_format == "channels_last":
        return [input_shape[0]] + out + [filters]
    return [input_shape[0], filters] + out


def compute_conv_transpose_padding_args_for_jax(input_shape, kernel_shape, strides, padding,
                                                output_padding, dilation_rate):
    rank = len(input_shape) - 2
    strides, dilation = _as_tuple(strides, rank), _as_tuple(dilation_rate, rank)
    output_padding = _as_tuple(output_padding, rank)
    pads = []
    for i in range(rank):
        kernel = (kernel_shape[i] - 1) * dilation[i] + 1
        op = output_padding[i]
        if padding.lower() == "valid":
            op = max(kernel, strides[i]) - kernel if op is None else op
            pads.append((kernel - 1, kernel - 1 + op))
            continue
        total = strides[i] + kernel - 2 if op is None else kernel + kernel % 2 - 2 + op
        left = min(total // 2 + total % 2, kernel - 1)
        pads.append((left, total - left))
    return pads
