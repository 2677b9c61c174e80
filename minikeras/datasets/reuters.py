"""Reuters newswires labelled over 46 topics: 11,228 sequences of word indexes (words ranked
by frequency: 1 is the most frequent)."""
from __future__ import annotations

import json

import numpy as np

from minikeras.datasets import _sequences
from minikeras.datasets._safe_load import load_npz
from minikeras.utils.file_utils import get_file

__all__ = ["get_label_names", "get_word_index", "load_data"]

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"  # sha256
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"  # md5, as keras gives it
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Reuters: ``(x_train, y_train), (x_test, y_test)``, as `keras.datasets.reuters`.

    The newswires are shuffled by ``numpy.random.RandomState(seed)`` (keras's order); each
    becomes ``[start_char] + [w + index_from ...]``; those of ``maxlen`` words or more
    (counting ``start_char``) are dropped; words below ``skip_top`` or from ``num_words`` up
    become ``oov_char`` (or are removed when it is `None`); the last ``test_split`` of them
    are the test set. ``x`` are object arrays of lists of ints, ``y`` topic indexes 0-45
    (see `get_label_names`). The file (2 MB) is downloaded once into ``~/.keras/datasets``;
    its sha256 is checked, then its ragged arrays are read by an unpickler that can only
    rebuild numpy arrays.

    Args:
        path: the file's name in the cache. Defaults to ``"reuters.npz"``.
        num_words: keep the words ranked below this; `None` keeps all (as in keras, the
            largest index present then also becomes ``oov_char``). Defaults to `None`.
        skip_top: the most frequent words to replace by ``oov_char``. Defaults to `0`.
        maxlen: drop the sequences this long or longer; `None` keeps all. Defaults to
            `None`.
        test_split: the fraction held out for test, in ``[0, 1]``. Defaults to `0.2`.
        seed: the shuffling seed. Defaults to `113`.
        start_char: the index put first in every sequence; `None` for none. Defaults to `1`.
        oov_char: the index of cut words; `None` removes them. Defaults to `2`.
        index_from: added to every word index. Defaults to `3`.

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), (x_test, y_test) = minikeras.datasets.reuters.load_data(
        num_words=10000)
    len(x_train), len(x_test)   # (8982, 2246)
    ```
    """
    if not 0 <= test_split <= 1:
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between "
                         "0 and 1.")
    path = get_file(fname=path, origin=f"{BASE}reuters.npz", file_hash=FILE_HASH)
    arrays = load_npz(path)
    xs, labels = _sequences.shuffled(np.random.RandomState(seed), arrays["x"], arrays["y"])
    xs = _sequences.shifted(xs, start_char, index_from)
    if maxlen:
        xs, labels = _sequences.without_long(maxlen, xs, labels)
    xs = _sequences.limited(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    return ((_sequences.as_object_array(xs[:cut]), np.array(labels[:cut])),
            (_sequences.as_object_array(xs[cut:]), np.array(labels[cut:])))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The dict from each word to its index in the Reuters data (before ``index_from``), as
    `keras.datasets.reuters.get_word_index`; the JSON file is downloaded once and its md5
    checked.

    Args:
        path: the file's name in the cache. Defaults to ``"reuters_word_index.json"``.

    Returns:
        A dict from word (str) to index (int).

    Usage (downloads on first use, so not run as a doctest):

    ```python
    words = {i + 3: w for w, i in minikeras.datasets.reuters.get_word_index().items()}
    ```
    """
    path = get_file(path, origin=f"{BASE}reuters_word_index.json",
                    file_hash=WORD_INDEX_HASH)
    with open(path) as source:
        return json.load(source)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, indexed as the labels of `load_data` (keras's tuple).

    Returns:
        A tuple of 46 strings.

    Example:
        >>> from minikeras.datasets import reuters
        >>> names = reuters.get_label_names()
        >>> len(names), names[3]
        (46, 'earn')
    """
    return LABEL_NAMES
