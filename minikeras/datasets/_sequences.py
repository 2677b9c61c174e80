"""The word-index sequences of imdb and reuters, prepared as keras prepares them: shuffled by
a seeded `numpy.random.RandomState`, shifted by ``index_from`` behind ``start_char``, long
sequences dropped, rare and top words replaced by ``oov_char`` (or removed)."""
from __future__ import annotations

import numpy as np


def shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> list[np.ndarray]:
    """The arrays in one order drawn from ``rng`` (one ``shuffle`` of ``arange``, as keras)."""
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [array[order] for array in arrays]


def shifted(xs, start_char: int | None, index_from: int) -> list[list[int]]:
    """Each sequence as a list, its words moved up by ``index_from`` and ``start_char``
    (unless `None`) in front."""
    head = [] if start_char is None else [start_char]
    return [head + [w + index_from for w in x] for x in xs]


def without_long(maxlen: int, xs: list, labels) -> tuple[list, list]:
    """The sequences shorter than ``maxlen`` (strictly, as keras's ``remove_long_seq``) and
    their labels."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limited(xs: list, num_words: int | None, skip_top: int, oov_char: int | None) -> list:
    """Words outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped when it is
    `None`. Without ``num_words`` the bound is the largest word present, which (as in keras)
    is itself outside it."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is None:
        return [[w for w in x if skip_top <= w < num_words] for x in xs]
    return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]


def as_object_array(xs: list) -> np.ndarray:
    """``np.array(xs, dtype="object")``, as keras returns them: 1-D of lists, except that
    sequences all of one length make a 2-D array (numpy's rule, kept for parity)."""
    return np.array(xs, dtype="object")
