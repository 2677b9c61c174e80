"""keras.src.random as test plumbing: TensorFlow draws used to build test inputs.

``SeedGenerator`` (public keras API that initializers and layers accept) is not plumbing:
it is looked up in ``minikeras.random`` and is `Missing` until minikeras has it.
"""
from __future__ import annotations

import importlib
from typing import Any

import tensorflow as tf

from keras_adapter._forward import lookup


def _seed(seed: Any) -> int | None:
    """An int seed as is; a seed object only seeds minikeras's own draws, not these."""
    return seed if isinstance(seed, int) else None


def __getattr__(name: str) -> Any:
    try:
        chain = [importlib.import_module("minikeras.random")]
    except ImportError:
        chain = []
    return lookup(__name__, name, chain)


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: Any = None) -> tf.Tensor:
    """`tf.random.uniform` (float32 by default)."""
    return tf.random.uniform(tuple(shape), minval, maxval, dtype=dtype or "float32",
                             seed=_seed(seed))


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: Any = None) -> tf.Tensor:
    """`tf.random.normal` (float32 by default)."""
    return tf.random.normal(tuple(shape), mean, stddev, dtype=dtype or "float32",
                            seed=_seed(seed))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32",
            seed: Any = None) -> tf.Tensor:
    """Integers in ``[minval, maxval)``."""
    return tf.random.uniform(tuple(shape), minval, maxval, dtype=dtype, seed=_seed(seed))
