"""Dropout: zeroes random inputs while training, scaling the others by ``1 / (1 - rate)``."""
from __future__ import annotations

import numbers
from typing import Any

import tensorflow as tf

from minikeras.layers.layer import Layer
from minikeras.utils.random import draw_seed

_NOISE_SHAPE = "Invalid value received for argument `noise_shape`. "


def validate_noise_shape(noise_shape: Any) -> tuple | None:
    """``noise_shape`` as a tuple of positive integers or None, checked with keras's wording."""
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError(f"{_NOISE_SHAPE}Expected a tuple or list of integers. "
                         f"Received: noise_shape={noise_shape}")
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"{_NOISE_SHAPE}Expected an iterable of integers (e.g., a tuple or "
                         f"list). Received: noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise ValueError(f"{_NOISE_SHAPE}Expected all elements to be integers or None. "
                             f"Received element at index {i}: {dim} "
                             f"(type: {type(dim).__name__})")
        if dim <= 0:
            raise ValueError(f"{_NOISE_SHAPE}Expected all dimensions to be positive integers "
                             f"or None. Received negative or zero value at index {i}: {dim}")
    return tuple(None if d is None else int(d) for d in noise_shape)


class Dropout(Layer):
    """Randomly zeroes inputs with probability ``rate`` during training; scales the rest.

    ``output = x * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)`` when training, and
    ``x`` itself at inference. The randomness comes from the layer's own `tf.random.Generator`
    (seeded by ``seed``, or from Python's `random` when None), whose state is a variable: it is
    checkpointed, so a resumed run draws the same masks.

    Args:
      rate: Float in [0, 1), the fraction of inputs to drop.
      noise_shape: Optional shape of the mask, broadcast against the inputs: for inputs
        ``(batch, timesteps, features)``, ``(None, 1, None)`` drops the same features at every
        timestep. None entries take the input's size.
      seed: Optional integer seed.
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 name: str | None = None, **kwargs: Any):
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 "
                f"and 1 (1 excluded). Received: rate={rate!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"Expected `seed` to be an integer or None. Received: seed={seed!r}")
        super().__init__(name=name, **kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.noise_shape = validate_noise_shape(noise_shape)
        self.generator = None
        if self.rate > 0:  # as keras, which draws a seed only then
            with tf.init_scope():
                self.generator = tf.random.Generator.from_seed(
                    draw_seed() if seed is None else seed)
        self._build_at_init()

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        if not training or self.rate == 0:
            return inputs
        seed = self.generator.make_seeds(1)[:, 0]
        noise_shape = None
        if self.noise_shape is not None:
            dynamic = tf.shape(inputs)
            noise_shape = tf.stack([dynamic[i] if d is None else tf.constant(d, tf.int32)
                                    for i, d in enumerate(self.noise_shape)])
        return tf.nn.experimental.stateless_dropout(inputs, rate=self.rate, seed=seed,
                                                    noise_shape=noise_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
