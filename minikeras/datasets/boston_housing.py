"""The Boston Housing prices: 13 attributes of 506 Boston suburbs in the 1970s, and the
median house value (k$). keras warns of an ethical problem with this dataset (its "B"
attribute); use it to illustrate that, not to build models on."""
from __future__ import annotations

import numpy as np

from minikeras.datasets._safe_load import load_numeric_npz
from minikeras.utils.file_utils import get_file

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"  # sha256


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Boston Housing: ``(x_train, y_train), (x_test, y_test)``, as
    `keras.datasets.boston_housing`.

    The samples are shuffled by ``numpy.random.RandomState(seed)`` (keras's order), then
    the last ``test_split`` of them are the test set. ``x`` has shape ``(n, 13)``, ``y``
    ``(n,)`` (float64).

    Args:
        path: the file's name in the cache (``~/.keras/datasets``). Defaults to
            ``"boston_housing.npz"``.
        test_split: the fraction held out for test, in ``[0, 1)``. Defaults to `0.2`.
        seed: the shuffling seed. Defaults to `113`.

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), (x_test, y_test) = minikeras.datasets.boston_housing.load_data()
    x_train.shape, x_test.shape   # ((404, 13), (102, 13))
    ```
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between "
                         "0 and 1 (exclusive of 1).")
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH)
    x, y = load_numeric_npz(path, "x", "y")
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
