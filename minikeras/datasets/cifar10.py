"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images of 10 classes."""
from __future__ import annotations

import os

import numpy as np

from minikeras import backend
from minikeras.datasets._safe_load import load_pickle
from minikeras.utils.file_utils import get_file

__all__ = ["load_data"]

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"  # sha256
FOLDER = "cifar-10-batches-py-target"  # keras's name: the archive is kept as FOLDER_archive


def _load_batch(path: str) -> tuple[np.ndarray, list]:
    """``(data (n, 3, 32, 32) uint8, labels)`` of one pickled batch, read by the restricted
    unpickler (the batches were written by Python 2: their strings load as bytes)."""
    batch = load_pickle(path, encoding="bytes")
    if not isinstance(batch, dict):
        raise ValueError(f"A CIFAR-10 batch must hold a dict; {path!r} holds a "
                         f"{type(batch).__name__}.")
    batch = {key.decode("utf8"): value for key, value in batch.items()}
    data = batch["data"]
    return data.reshape(data.shape[0], 3, 32, 32), batch["labels"]


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-10: ``(x_train, y_train), (x_test, y_test)``, as `keras.datasets.cifar10`.

    ``x`` are uint8 images of shape ``(n, 32, 32, 3)`` (``(n, 3, 32, 32)`` when
    `minikeras.backend.image_data_format` is ``"channels_first"``), ``y`` uint8 labels of
    shape ``(n, 1)``: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck.
    The 163 MB archive is downloaded once into ``~/.keras/datasets`` (as
    ``cifar-10-batches-py-target_archive``, keras's name), its sha256 checked, and extracted
    into ``cifar-10-batches-py-target/`` (refusing links and paths that leave the folder);
    the pickled batches are then read by an unpickler that can only rebuild numpy arrays.

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), (x_test, y_test) = minikeras.datasets.cifar10.load_data()
    x_train.shape, y_train.shape   # ((50000, 32, 32, 3), (50000, 1))
    ```
    """
    path = get_file(fname=FOLDER, origin=ORIGIN, extract=True, file_hash=FILE_HASH)
    path = os.path.join(path, "cifar-10-batches-py")
    batches = [_load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([data for data, _ in batches]).astype("uint8")
    y_train = np.concatenate([np.asarray(labels) for _, labels in batches]).astype("uint8")
    x_test, y_test = _load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype(y_train.dtype)
    if backend.image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test.astype(x_train.dtype), y_test)
