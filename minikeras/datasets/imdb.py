"""IMDB movie reviews labelled by sentiment: 25,000 training and 25,000 test reviews, each a
sequence of word indexes (words ranked by frequency: 1 is the most frequent)."""
from __future__ import annotations

import json
import warnings

import numpy as np

from minikeras.datasets import _sequences
from minikeras.datasets._safe_load import load_npz
from minikeras.utils.file_utils import get_file

__all__ = ["get_word_index", "load_data"]

BASE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"  # sha256
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"  # md5, as keras gives it


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load IMDB: ``(x_train, y_train), (x_test, y_test)``, as `keras.datasets.imdb`.

    Each set is shuffled by ``numpy.random.RandomState(seed)`` (keras's order). Each review
    becomes ``[start_char] + [w + index_from ...]``; reviews of ``maxlen`` words or more
    (counting ``start_char``) are dropped; words below ``skip_top`` or from ``num_words`` up
    become ``oov_char`` (or are removed when it is `None`). ``x`` are object arrays of lists
    of ints, ``y`` 0/1 labels. The file (17 MB) is downloaded once into
    ``~/.keras/datasets``; its sha256 is checked, then its ragged arrays are read by an
    unpickler that can only rebuild numpy arrays.

    Args:
        path: the file's name in the cache. Defaults to ``"imdb.npz"``.
        num_words: keep the words ranked below this; `None` keeps all (as in keras, the
            largest index present then also becomes ``oov_char``). Defaults to `None`.
        skip_top: the most frequent words to replace by ``oov_char``. Defaults to `0`.
        maxlen: drop the sequences this long or longer; `None` keeps all. Defaults to
            `None`.
        seed: the shuffling seed. Defaults to `113`.
        start_char: the index put first in every sequence; `None` for none. Defaults to `1`.
        oov_char: the index of cut words; `None` removes them. Defaults to `2`.
        index_from: added to every word index. Defaults to `3`.
        **kwargs: accepted and ignored, as keras does (with a warning here).

    Returns:
        Two tuples of NumPy arrays: ``(x_train, y_train), (x_test, y_test)``.

    Usage (downloads on first use, so not run as a doctest):

    ```python
    (x_train, y_train), _ = minikeras.datasets.imdb.load_data(num_words=10000)
    x_train.shape, x_train[0][:3]   # ((25000,), [1, 14, 22])
    ```
    """
    if kwargs:
        warnings.warn(f"imdb.load_data ignores the unknown arguments {sorted(kwargs)}, as "
                      "keras does.", stacklevel=2)
    path = get_file(fname=path, origin=f"{BASE}imdb.npz", file_hash=FILE_HASH)
    arrays = load_npz(path)
    rng = np.random.RandomState(seed)
    x_train, labels_train = _sequences.shuffled(rng, arrays["x_train"], arrays["y_train"])
    x_test, labels_test = _sequences.shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = _sequences.shifted(x_train, start_char, index_from)
    x_test = _sequences.shifted(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = _sequences.without_long(maxlen, x_train, labels_train)
        x_test, labels_test = _sequences.without_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, "
                             "no sequence was kept. Increase maxlen.")
    xs = _sequences.limited(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return ((_sequences.as_object_array(xs[:cut]), labels[:cut]),
            (_sequences.as_object_array(xs[cut:]), labels[cut:]))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The dict from each word to its index in the IMDB data (before ``index_from``), as
    `keras.datasets.imdb.get_word_index`; the JSON file is downloaded once and its md5
    checked.

    Args:
        path: the file's name in the cache. Defaults to ``"imdb_word_index.json"``.

    Returns:
        A dict from word (str) to index (int).

    Usage (downloads on first use, so not run as a doctest):

    ```python
    words = {i + 3: w for w, i in minikeras.datasets.imdb.get_word_index().items()}
    ```
    """
    path = get_file(fname=path, origin=f"{BASE}imdb_word_index.json",
                    file_hash=WORD_INDEX_HASH)
    with open(path) as source:
        return json.load(source)
