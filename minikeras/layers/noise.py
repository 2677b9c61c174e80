"""Noise and regularization layers: GaussianNoise, GaussianDropout, AlphaDropout,
SpatialDropout1D/2D and ActivityRegularization.

The random layers are active only when called with ``training=True`` (as `fit` calls the
model) and are the identity otherwise. Like `Dropout`, each has its own `tf.random.Generator`
(seeded by ``seed``, or from Python's `random` when None, so `set_random_seed` fixes it) whose
state is a variable: checkpointed, so a resumed run draws the same noise. keras 3 draws from
a ``SeedGenerator`` through its own stateless sampling path; the distributions are the same,
the individual draws are not (a different generator), so tests compare statistics, not
samples.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation, regularizers
from minikeras.layers import _spatial
from minikeras.layers.layer import Layer
from minikeras.utils.random import draw_seed


def _rate(value: Any, arg: str = "rate", high_open: bool = True) -> float:
    if not _validation.is_real(value) or not (0 <= value < 1 if high_open else 0 <= value <= 1):
        raise ValueError(f"Invalid value received for argument `{arg}`. Expected a float value "
                         f"between 0 and 1{' (1 excluded)' if high_open else ''}. Received: "
                         f"{arg}={value!r}")
    return float(value)


class _Random(Layer):
    """A layer with its own checkpointed random generator; identity unless training."""

    _float_inputs = True
    supports_masking = True  # keras's flag (minikeras has no masks)

    def __init__(self, seed: int | None = None, **kwargs: Any):
        seed = _validation.optional_int(seed, "seed")
        super().__init__(**kwargs)
        self.seed = seed
        with tf.init_scope():
            self.generator = tf.random.Generator.from_seed(draw_seed() if seed is None else seed)
        self._build_at_init()  # no weights: built at once, as keras

    def _next_seed(self) -> tf.Tensor:
        return self.generator.make_seeds(1)[:, 0]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "seed": self.seed}


class GaussianNoise(_Random):
    """Adds zero-centred Gaussian noise when training: ``x + N(0, stddev^2)``.

    Random draws: the layer's own `tf.random.Generator` (seeded by ``seed`` or from Python's
    `random`; state checkpointed). keras draws through its ``SeedGenerator`` and stateless ops,
    so samples differ from keras's for the same seed; the distribution is the same.

    Args:
      stddev: Float in [0, 1], the noise's standard deviation.
      seed: Optional integer seed.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GaussianNoise
      >>> GaussianNoise(0.1)(tf.ones((2, 2))).numpy()  # inference: unchanged
      array([[1., 1.], [1., 1.]], dtype=float32)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any):
        stddev = _rate(stddev, "stddev", high_open=False)
        super().__init__(seed=seed, **kwargs)
        self.stddev = stddev

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        if not training or self.stddev == 0:
            return inputs
        return inputs + tf.random.stateless_normal(tf.shape(inputs), self._next_seed(),
                                                   stddev=self.stddev)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev}


class GaussianDropout(_Random):
    """Multiplies by 1-centred Gaussian noise when training: ``x * N(1, rate / (1 - rate))``.

    Random draws: the layer's own `tf.random.Generator` (seeded by ``seed`` or from Python's
    `random`; state checkpointed). keras draws through its ``SeedGenerator`` and stateless ops,
    so samples differ from keras's for the same seed; the distribution is the same.

    Args:
      rate: Float in [0, 1), the drop probability of the equivalent Dropout.
      seed: Optional integer seed.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        rate = _rate(rate)
        super().__init__(seed=seed, **kwargs)
        self.rate = rate

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * tf.random.stateless_normal(tf.shape(inputs), self._next_seed(),
                                                   mean=1.0, stddev=stddev)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class AlphaDropout(_Random):
    """Dropout that keeps SELU's self-normalization: mean and variance are preserved.

    When training, dropped entries are set to ``alpha' = -scale * alpha`` of SELU, then
    ``a * x + b`` restores the moments, with ``a = ((1 - rate)(1 + rate alpha'^2))^-1/2`` and
    ``b = -a alpha' rate``. Entries are kept where ``U(0, 1) >= rate``.

    Random draws: the layer's own `tf.random.Generator` (seeded by ``seed`` or from Python's
    `random`; state checkpointed). keras draws through its ``SeedGenerator`` and stateless ops,
    so samples differ from keras's for the same seed; the distribution is the same.

    Args:
      rate: Float in [0, 1).
      noise_shape: Optional shape of the keep mask (None entries take
        the input's size), e.g. ``(None, 1, features)``.
      seed: Optional integer seed.
    """

    _ALPHA = 1.6732632423543772848170429916717
    _SCALE = 1.0507009873554804934193349852946

    def __init__(self, rate: float, noise_shape: Sequence[int | None] | None = None,
                 seed: int | None = None, **kwargs: Any):
        rate = _rate(rate)
        if noise_shape is not None:
            noise_shape = list(_validation.shape(noise_shape, "noise_shape"))
        super().__init__(seed=seed, **kwargs)
        self.rate, self.noise_shape = rate, noise_shape

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        if not training or self.rate == 0:
            return inputs
        shape = tf.shape(inputs)
        if self.noise_shape is not None:
            shape = tf.stack([shape[i] if d is None else d
                              for i, d in enumerate(self.noise_shape)])
        alpha_p = -self._ALPHA * self._SCALE
        kept = tf.cast(tf.random.stateless_uniform(shape, self._next_seed()) >= self.rate,
                       inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape}


class _SpatialDropout(_Random):
    _rank = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any):
        rate = _rate(rate)
        super().__init__(seed=seed, **kwargs)
        self.rate = rate

    def weight_shapes(self, input_shape: tuple) -> list:
        _spatial.check_rank(self, input_shape, self._rank)
        return []

    def _noise_shape(self, shape: tf.Tensor) -> list:
        return [shape[0], 1, shape[2]]

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        _spatial.check_rank(self, tuple(inputs.shape.as_list()), self._rank)  # keras's InputSpec
        if not training or self.rate == 0:
            return inputs
        return tf.nn.experimental.stateless_dropout(
            inputs, rate=self.rate, noise_shape=self._noise_shape(tf.shape(inputs)),
            seed=self._next_seed())

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole 1D feature maps: for ``(batch, steps, channels)`` inputs, each
    (sample, channel) is dropped for every step at once; kept values are scaled by
    ``1 / (1 - rate)`` when training.

    Random draws: the layer's own `tf.random.Generator` (seeded by ``seed`` or from Python's
    `random`; state checkpointed). keras draws through its ``SeedGenerator`` and stateless ops,
    so samples differ from keras's for the same seed; the distribution is the same.

    Args:
      rate: Float in [0, 1).
      seed: Optional integer seed.
    """


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole 2D feature maps: for ``(batch, rows, cols, channels)`` inputs
    (channels_last) or ``(batch, channels, rows, cols)`` (channels_first), each (sample,
    channel) map is dropped at once; kept values are scaled by ``1 / (1 - rate)``.

    Random draws: the layer's own `tf.random.Generator` (seeded by ``seed`` or from Python's
    `random`; state checkpointed). keras draws through its ``SeedGenerator`` and stateless ops,
    so samples differ from keras's for the same seed; the distribution is the same.

    Args:
      rate: Float in [0, 1).
      data_format: "channels_last" (default, also for None) or "channels_first".
      seed: Optional integer seed.
    """

    _rank = 4

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any):
        data_format = _validation.one_of(data_format or "channels_last", "data_format",
                                         ("channels_last", "channels_first"))
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = data_format

    def _noise_shape(self, shape: tf.Tensor) -> list:
        if self.data_format == "channels_first":
            return [shape[0], shape[1], 1, 1]
        return [shape[0], 1, 1, shape[3]]

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class ActivityRegularization(Layer):
    """Identity that adds ``l1 * sum|x| + l2 * sum x^2`` (divided by the batch size, as keras
    does for activity penalties) to the model's losses.

    Args:
      l1: Non-negative float. Default 0.0.
      l2: Non-negative float. Default 0.0.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import ActivityRegularization
      >>> layer = ActivityRegularization(l2=0.1)
      >>> _ = layer(tf.ones((2, 3)))
      >>> round(float(layer.losses[0]), 4)   # 0.1 * mean over the batch of sum(x**2)
      0.3
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any):
        l1 = _validation.real(l1, "l1", low=0.0)
        l2 = _validation.real(l2, "l2", low=0.0)
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self._build_at_init()

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
