"""Pooling layers: `MaxPooling1D/2D`, `AveragePooling1D/2D` (sliding windows, `tf.nn.max_pool`
and `tf.nn.avg_pool` as keras's TensorFlow backend) and `GlobalAveragePooling1D/2D`,
`GlobalMaxPooling1D/2D` (a mean or max over every spatial position)."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.layers import _spatial
from minikeras.layers.layer import Layer


class _Pooling(Layer):
    """Shared windowed pooling (keras's BasePooling): subclasses set ``_rank`` and ``_mode``."""

    _rank = 2
    _mode = "max"
    _float_inputs = True

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        pool_size = _spatial.int_tuple(pool_size, self._rank, "pool_size")
        strides = _spatial.int_tuple(pool_size if strides is None else strides, self._rank,
                                     "strides")
        padding = _spatial.padding(padding)
        data_format = _spatial.data_format(data_format)
        super().__init__(name=name, **kwargs)
        self.pool_size, self.strides = pool_size, strides
        self.padding, self.data_format = padding, data_format
        self._build_at_init()  # no weights: built at once; `call` checks each input (keras)

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """[]: pooling has no weights (checks the shape like build)."""
        self.compute_output_shape(input_shape)
        return []

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, self._rank + 2)
        return _spatial.window_output_shape(shape, self.pool_size, self.strides, self.padding,
                                            self.data_format, what="pool_size")

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))  # static check: fits?
        x = inputs
        if self.data_format == "channels_first":  # tf pooling is channels-last only
            x = _spatial.to_channels_last(x)
        pool = tf.nn.max_pool if self._mode == "max" else tf.nn.avg_pool
        outputs = pool(x, ksize=list(self.pool_size), strides=list(self.strides),
                       padding=self.padding.upper())
        if self.data_format == "channels_first":
            outputs = _spatial.to_channels_first(outputs)
        return outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


_POOL_ARGS = """
    Args:
      pool_size: Integer or tuple, the window size (default 2, or (2, 2) in 2-D).
      strides: Default None (= pool_size).
      padding: "valid" (default; windows must fit, a window larger than the input is a
        ValueError) or "same" (TensorFlow's padding; averages count only real inputs).
      data_format: "channels_last" (default, also for None) or "channels_first".
"""


class MaxPooling1D(_Pooling):
    __doc__ = ("""Max over windows of steps: ``out[b, t, c] = max_{i < pool} x[b, t*s + i, c]``.

    Inputs ``(batch, steps, channels)`` or, channels_first, ``(batch, channels, steps)``.
    """ + _POOL_ARGS + """

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import MaxPooling1D
      >>> MaxPooling1D(2)(tf.ones((1, 6, 3))).shape
      TensorShape([1, 3, 3])
    """)
    _rank, _mode = 1, "max"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(_Pooling):
    __doc__ = ("""Max over windows: ``out[b, y, x, c] = max_{i, j} in[b, y*sy + i, x*sx + j, c]``.

    Inputs ``(batch, height, width, channels)`` or ``(batch, channels, height, width)``.
    """ + _POOL_ARGS + """

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import MaxPooling2D
      >>> MaxPooling2D()(tf.ones((1, 28, 28, 8))).shape
      TensorShape([1, 14, 14, 8])
    """)
    _rank, _mode = 2, "max"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(_Pooling):
    __doc__ = ("""Mean over windows of steps: ``out[b, t, c] = mean_{i < pool} x[b, t*s + i, c]``.
    """ + _POOL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import AveragePooling1D
      >>> AveragePooling1D(2)(tf.ones((1, 6, 3))).shape
      TensorShape([1, 3, 3])
    """)
    _rank, _mode = 1, "average"

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(_Pooling):
    __doc__ = ("""Mean over windows: ``out[b, y, x, c] = mean_{i, j} in[b, y*sy + i, x*sx + j, c]``.
    """ + _POOL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import AveragePooling2D
      >>> AveragePooling2D(2)(tf.ones((1, 8, 8, 3))).shape
      TensorShape([1, 4, 4, 3])
    """)
    _rank, _mode = 2, "average"

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class _GlobalPooling(Layer):
    """Shared global pooling (keras's BaseGlobalPooling): ``_rank`` spatial axes reduced."""

    _rank = 2
    _reduce = staticmethod(tf.reduce_mean)
    _float_inputs = True

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 name: str | None = None, **kwargs: Any):
        data_format = _spatial.data_format(data_format)
        keepdims = _validation.boolean(keepdims, "keepdims")
        super().__init__(name=name, **kwargs)
        self.data_format, self.keepdims = data_format, keepdims
        self._build_at_init()  # no weights: built at once; `call` checks each input (keras)

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """[]: pooling has no weights (checks the shape like build)."""
        self.compute_output_shape(input_shape)
        return []

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = _spatial.check_rank(self, input_shape, self._rank + 2)
        channels_last = self.data_format == "channels_last"
        head = (shape[0],) if channels_last else (shape[0], shape[1])
        tail = (shape[-1],) if channels_last else ()
        return head + ((1,) * self._rank if self.keepdims else ()) + tail

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        self.compute_output_shape(tuple(inputs.shape.as_list()))  # the rank
        axes = _spatial.spatial_axes(self.data_format, self._rank)
        return self._reduce(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


_GLOBAL_ARGS = """
    Args:
      data_format: "channels_last" (default, also for None) or "channels_first".
      keepdims: Keep the spatial axes with size 1. Default False.
"""


class GlobalAveragePooling1D(_GlobalPooling):
    __doc__ = ("""Mean over steps: ``(batch, steps, channels) -> (batch, channels)``.
    """ + _GLOBAL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GlobalAveragePooling1D
      >>> GlobalAveragePooling1D()(tf.ones((2, 5, 3))).shape
      TensorShape([2, 3])
    """)
    _rank, _reduce = 1, staticmethod(tf.reduce_mean)
    supports_masking = True

    def call(self, inputs: tf.Tensor, mask: Any = None) -> tf.Tensor:
        """The mean over steps; with ``mask`` (``(batch, steps)``, nonzero = keep), over the
        kept steps only, as keras: ``sum(x * mask) / sum(mask)``."""
        if mask is None:
            return super().call(inputs)
        self.compute_output_shape(tuple(inputs.shape.as_list()))
        axis = 1 if self.data_format == "channels_last" else 2
        keep = tf.expand_dims(tf.cast(mask, tf.bool), 2 if axis == 1 else 1)
        inputs = tf.where(keep, inputs, tf.zeros_like(inputs))
        return (tf.reduce_sum(inputs, axis=axis, keepdims=self.keepdims)
                / tf.reduce_sum(tf.cast(keep, inputs.dtype), axis=axis, keepdims=self.keepdims))

    consumes_masks = True  # keras averages over the unmasked steps only


class GlobalAveragePooling2D(_GlobalPooling):
    __doc__ = ("""Mean over height and width: ``(batch, h, w, c) -> (batch, c)``.
    """ + _GLOBAL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GlobalAveragePooling2D
      >>> GlobalAveragePooling2D()(tf.ones((2, 4, 4, 3))).shape
      TensorShape([2, 3])
    """)
    _rank, _reduce = 2, staticmethod(tf.reduce_mean)


class GlobalMaxPooling1D(_GlobalPooling):
    __doc__ = ("""Max over steps: ``(batch, steps, channels) -> (batch, channels)``.
    """ + _GLOBAL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GlobalMaxPooling1D
      >>> GlobalMaxPooling1D()(tf.ones((2, 5, 3))).shape
      TensorShape([2, 3])
    """)
    _rank, _reduce = 1, staticmethod(tf.reduce_max)


class GlobalMaxPooling2D(_GlobalPooling):
    __doc__ = ("""Max over height and width: ``(batch, h, w, c) -> (batch, c)``.
    """ + _GLOBAL_ARGS + """
    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GlobalMaxPooling2D
      >>> GlobalMaxPooling2D()(tf.ones((2, 4, 4, 3))).shape
      TensorShape([2, 3])
    """)
    _rank, _reduce = 2, staticmethod(tf.reduce_max)
