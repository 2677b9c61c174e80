"""`SeedGenerator`: a seed that advances at each draw (keras.random.SeedGenerator).

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
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)
