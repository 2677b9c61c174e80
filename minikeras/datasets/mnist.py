"""The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 pixels."""
from __future__ import annotations

import numpy as np

from minikeras.datasets._safe_load import load_numeric_npz
from minikeras.utils.file_utils import get_file

__all__ = ["load_data"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # sha256


def load_data(path: str = "mnist.npz") -> tuple[tuple[np.ndarray, np.ndarray],
                                                tuple[np.ndarray, np.ndarray]]:
    """Load MNIST: ``(x_train, y_train), (x_test, y_test)``, as `keras.datasets.mnist`.

    ``x`` are uint8 images of shape ``(n, 28, 28)`` (pixel values 0-255), ``y`` uint8
    digits 0-9 of shape ``(n,)``; n is 60,000 for training and 10,000 for test. The file is
    downloaded once (11 MB) into ``~/.keras/datasets`` (keras's cache, shared with it), and
    its sha256 is checked before it is opened (with pickling off).

    Args:
        path: the file's name in the cache. Defaults to ``"mnist.npz"``.

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), (x_test, y_test) = minikeras.datasets.mnist.load_data()
    x_train.shape, y_train.dtype   # ((60000, 28, 28), dtype('uint8'))
    ```
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH)
    x_train, y_train, x_test, y_test = load_numeric_npz(
        path, "x_train", "y_train", "x_test", "y_test")
    return (x_train, y_train), (x_test, y_test)
