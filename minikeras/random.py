"""keras.random: `SeedGenerator`, a seed that advances at each draw, and the draws
(`normal`, `uniform`, `truncated_normal`, `randint`, `categorical`, `shuffle`, `dropout`).

Each draw is TensorFlow's stateless op with the seed keras's TensorFlow backend makes
(``[seed, 0]`` for an integer, the generator's next state for a `SeedGenerator`), so the same
seed gives keras's tensor bit for bit. ``seed=None`` draws a fresh integer from Python's
`random` (reproducible after `utils.set_random_seed`; keras uses a global generator instead).

An integer seed makes an initializer return the same tensor at every call; a
`SeedGenerator` makes each call draw anew, reproducibly: the n-th draw uses the stateless
seed ``[seed, n]`` (kept in a ``tf.Variable``, so the count also advances inside compiled
functions). The first draw is the draw of the integer seed itself, as in keras.

    >>> gen = SeedGenerator(1337)
    >>> init = minikeras.initializers.RandomNormal(seed=gen)
    >>> a, b = init((2, 2)), init((2, 2))   # different tensors, the same in every run
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._naming import unique_name
from minikeras.utils.random import draw_seed


class SeedGenerator:
    """The state ``[seed, count]`` of a sequence of stateless draws.

    Args:
      seed: An integer, or None (default) to draw one from Python's `random` now.
      name: Optional name. Default ``seed_generator`` made unique, as keras.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if seed is not None and (isinstance(seed, bool) or
                                 not isinstance(seed, (int, np.integer))):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.name = name or unique_name("seed_generator")
        self._initial_seed = None if seed is None else int(seed)
        start = draw_seed() if seed is None else int(seed)
        with tf.init_scope():
            self.state = tf.Variable([start, 0], dtype=tf.int64, trainable=False,
                                     name="seed_generator_state")

    def next(self, ordered: bool = True) -> tf.Tensor:
        """Returns the current ``[seed, count]`` (int64) and advances the count by one."""
        value = tf.identity(self.state)
        self.state.assign_add(tf.constant([0, 1], tf.int64))
        return value

    def get_config(self) -> dict:
        """The initial seed and the name, as keras's config (a new generator starts over)."""
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        """A generator made from `get_config`'s dict."""
        return cls(**config)


# keras's TensorFlow backend keeps seeds as int64 and maps them into int32 for the stateless
# ops with `floormod(seed, int32.max - 1)` (keras/src/backend/tensorflow/random.py,
# `_cast_seed`). Reducing the same way gives keras's tensor for every integer seed,
# including seeds >= 2**31 and negative seeds. Initializers draw through this too.
_SEED_MODULUS = 2**31 - 2


def stateless_seed(seed: int | SeedGenerator | None = None) -> tf.Tensor:
    """The ``[int32, int32]`` seed of one stateless draw, as keras's TF backend makes it."""
    if isinstance(seed, SeedGenerator):
        return tf.cast(tf.math.floormod(seed.next(), _SEED_MODULUS), tf.int32)
    if seed is None:
        seed = draw_seed()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError("Argument `seed` must be either an integer or an instance of "
                         f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")
    return tf.constant([int(seed) % _SEED_MODULUS, 0], dtype=tf.int32)


def _floatx(dtype: Any) -> tf.DType:
    return tf.as_dtype(dtype or "float32")


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> tf.Tensor:
    """Draws from N(mean, stddev**2)."""
    return tf.random.stateless_normal(shape, seed=stateless_seed(seed), mean=mean,
                                      stddev=stddev, dtype=_floatx(dtype))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> tf.Tensor:
    """Draws from N(mean, stddev**2), values beyond two standard deviations redrawn."""
    return tf.random.stateless_truncated_normal(shape, seed=stateless_seed(seed), mean=mean,
                                                stddev=stddev, dtype=_floatx(dtype))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> tf.Tensor:
    """Draws uniformly from ``[minval, maxval)``."""
    dtype = _floatx(dtype)
    return tf.random.stateless_uniform(shape, seed=stateless_seed(seed),
                                       minval=tf.cast(minval, dtype),
                                       maxval=tf.cast(maxval, dtype), dtype=dtype)


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> tf.Tensor:
    """Draws integers uniformly from ``[minval, maxval)``."""
    dtype = tf.as_dtype(dtype)
    inner = dtype if dtype in (tf.int32, tf.int64) else tf.int64
    out = tf.random.stateless_uniform(shape, seed=stateless_seed(seed), minval=minval,
                                      maxval=maxval, dtype=inner)
    return tf.cast(out, dtype)


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: Any = None) -> tf.Tensor:
    """Draws ``num_samples`` class indices per row of unnormalized log-probabilities."""
    out = tf.random.stateless_categorical(logits, num_samples, seed=stateless_seed(seed))
    return tf.cast(out, dtype)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> tf.Tensor:
    """``x`` in a random order along ``axis``."""
    x = tf.convert_to_tensor(x)
    keys = tf.random.stateless_uniform([tf.shape(x)[axis]], seed=stateless_seed(seed))
    return tf.gather(x, tf.argsort(keys), axis=axis)


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> tf.Tensor:
    """Zeroes entries with probability ``rate`` and scales the rest by ``1 / (1 - rate)``."""
    inputs = tf.convert_to_tensor(inputs)
    if rate == 1.0:
        return tf.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    if noise_shape is not None:
        dynamic = tf.shape(inputs)
        noise_shape = [dynamic[i] if d is None else d for i, d in enumerate(noise_shape)]
    return tf.nn.experimental.stateless_dropout(inputs, rate=rate, seed=stateless_seed(seed),
                                                noise_shape=noise_shape)
