"""Global seeding, as `keras.utils.set_random_seed`."""
from __future__ import annotations

import random

import numpy as np
import tensorflow as tf


def set_random_seed(seed: int) -> None:
    """Seeds Python's `random`, NumPy and TensorFlow so that a whole script is reproducible.

    Unseeded initializers, Dropout layers and fit's shuffling draw their seeds from Python's
    `random`, so after this call every draw in a script is fixed.

    Args:
      seed: A non-negative integer.

    Example:
      >>> import minikeras
      >>> minikeras.utils.set_random_seed(42)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            f"Expected `seed` to be a non-negative integer. Received: seed={seed!r}"
        )
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    tf.random.set_seed(seed)


def draw_seed() -> int:
    """Draws an integer seed from Python's `random`, as keras does for unseeded objects."""
    return random.randint(1, int(1e9))
