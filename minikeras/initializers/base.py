"""The `Initializer` contract, and the seed handling every random initializer shares."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.random import SeedGenerator, stateless_seed
from minikeras.utils.random import draw_seed


class Initializer:
    """Base class: an object that returns a new tensor for a given shape and dtype.

    Subclasses implement `__call__(shape, dtype)`. `get_config()` returns the constructor
    arguments as a dict, and `from_config(config)` rebuilds an equal initializer from it.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.initializers import Initializer
      >>> class Halves(Initializer):
      ...     def __call__(self, shape, dtype=tf.float32):
      ...         return tf.fill(standardize_shape(shape), tf.cast(0.5, dtype))
    """

    def __call__(self, shape: Sequence[int], dtype: Any = tf.float32) -> tf.Tensor:
        """Returns a tensor of `shape` and `dtype` (default float32)."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `__call__(shape, dtype)`."
        )

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """Builds an initializer from the output of `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def standardize_shape(shape: Any) -> tuple[int, ...]:
    """Returns `shape` as a tuple of non-negative Python ints, or raises ValueError."""
    if isinstance(shape, tf.TensorShape):
        shape = shape.as_list() if shape.rank is not None else None
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or not all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0 for d in dims
    ):
        raise ValueError(
            "Expected `shape` to be a tuple or list of non-negative integers. "
            f"Received: shape={shape!r}"
        )
    return tuple(int(d) for d in dims)


def standardize_dtype(dtype: Any, floating: bool = False) -> tf.DType:
    """Returns `dtype` as a `tf.DType` (None means float32); with `floating`, requires a float."""
    dtype = tf.float32 if dtype is None else tf.as_dtype(dtype)
    if floating and not dtype.is_floating:
        raise ValueError(
            f"Expected a floating dtype for a random initializer. Received: dtype={dtype.name}"
        )
    return dtype


class RandomInitializer(Initializer):
    """Base for initializers that draw random values from a seed.

    With an integer seed every call returns the same tensor. With `seed=None` a seed is drawn
    from Python's `random` when the initializer is made (as keras does), so
    `minikeras.utils.set_random_seed` fixes it; from then on it is fixed. With a
    `minikeras.random.SeedGenerator` each call draws anew (``[seed, n]`` for the n-th call;
    keras's stateless seeds), reproducibly.

    Args:
      seed: An integer, a `SeedGenerator` (or its serialized config), or None (default).
    """

    def __init__(self, seed: int | SeedGenerator | dict | None = None):
        if isinstance(seed, dict) and seed.get("class_name") == "SeedGenerator":
            seed = SeedGenerator.from_config(seed.get("config", {}))
        if seed is not None and not isinstance(seed, SeedGenerator) and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
        ):
            raise ValueError(
                "Expected `seed` to be an integer, a `SeedGenerator` or None. "
                f"Received: seed={seed!r} of type {type(seed).__name__}"
            )
        self._init_seed = int(seed) if isinstance(seed, (int, np.integer)) else seed
        self.seed = draw_seed() if seed is None else self._init_seed

    def stateless_seed(self) -> tf.Tensor:
        """The `[int32, int32]` seed for `tf.random.stateless_*`, as keras's TF backend makes it
        (a `SeedGenerator` advances by one)."""
        return stateless_seed(self.seed)

    def get_config(self) -> dict:
        # The seed the user gave: an unseeded initializer rebuilt from its config draws anew;
        # a SeedGenerator as keras serializes it.
        seed = self._init_seed
        if isinstance(seed, SeedGenerator):
            seed = {"module": "keras.random", "class_name": "SeedGenerator",
                    "config": seed.get_config(), "registered_name": None}
        return {"seed": seed}
