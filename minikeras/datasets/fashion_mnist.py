"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 images of 10 kinds of clothing."""
from __future__ import annotations

import gzip
import os

import numpy as np

from minikeras.utils.file_utils import get_file

__all__ = ["load_data"]

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")


def _read_idx(path: str, offset: int) -> np.ndarray:
    """The uint8 payload of a gzipped IDX file after its ``offset``-byte header (raw bytes:
    nothing in it can run)."""
    with gzip.open(path, "rb") as source:
        return np.frombuffer(source.read(), np.uint8, offset=offset)


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST: ``(x_train, y_train), (x_test, y_test)``, as
    `keras.datasets.fashion_mnist`.

    ``x`` are uint8 images of shape ``(n, 28, 28)``, ``y`` uint8 labels 0-9 (T-shirt/top,
    Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot) of shape
    ``(n,)``. The four gzipped IDX files are downloaded once into
    ``~/.keras/datasets/fashion-mnist`` (keras gives no hash for them, so none is checked;
    they are read as raw bytes).

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), _ = minikeras.datasets.fashion_mnist.load_data()
    x_train.shape   # (60000, 28, 28)
    ```
    """
    paths = [get_file(name, origin=BASE + name, cache_subdir=CACHE_SUBDIR) for name in FILES]
    y_train = _read_idx(paths[0], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths[2], 8)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
