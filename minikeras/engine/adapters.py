"""Data adapters: one interface over in-memory arrays, `tf.data.Dataset`s and Python generators.

An adapter holds the data of one pass: it knows how many steps an epoch has (None when unknown)
and starts each epoch (a new order, or a new iterator); the compiled steps (steps.py) read their
batches from it. In-memory arrays are checked on the host (data.py) and then
live as tensors on the device; datasets and generators are streamed as keras streams them.
"""
from __future__ import annotations

import itertools
import math
import random
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation
from minikeras.engine import data as data_module
from minikeras.utils.py_dataset import PyDataset
from minikeras.utils.random import draw_seed


def is_stream(x: Any) -> bool:
    """Datasets, generators and `PyDataset`s are streamed batch by batch."""
    return isinstance(x, (tf.data.Dataset, types.GeneratorType, PyDataset))


def _as_arrays(batch: Any) -> tuple:
    element = batch if isinstance(batch, tuple) else (batch,)
    return tuple(tf.nest.map_structure(np.asarray, v) for v in element)


def py_dataset_to_dataset(source: PyDataset, shuffle: bool = False) -> tf.data.Dataset:
    """A `tf.data.Dataset` of a `PyDataset`'s batches: ``len(source)`` of them per pass (in a
    new random order each pass with ``shuffle``, as keras's fit), with ``on_epoch_begin``
    before and ``on_epoch_end`` after each pass."""
    count = len(source)
    if count <= 0:
        raise ValueError(f"The PyDataset passed as `x` has {count} batches.")
    first = _as_arrays(source[0])
    signature = tree_specs(first)

    order_rng = random.Random(draw_seed())

    def batches():
        source.on_epoch_begin()
        order = list(range(count))
        if shuffle:
            order_rng.shuffle(order)
        for position, index in enumerate(order):
            batch = _as_arrays(source[index])
            if position == count - 1:  # read before on_epoch_end, which may reshuffle
                source.on_epoch_end()
            yield batch

    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return dataset.apply(tf.data.experimental.assert_cardinality(count))


def tree_specs(element: tuple) -> tuple:
    """`tf.TensorSpec`s (batch dimension open) of a batch's nested arrays."""
    return tf.nest.map_structure(_spec_of, element)


class ArrayAdapter:
    """Batches of ``batch_size`` gathered in the graph from tensors held on the device.

    ``x``, ``y``, ``sw`` are the whole data as tensors; ``order`` is the current epoch's
    sample order, which the compiled steps gather batches by.
    """

    streamed = False

    def __init__(self, arrays: data_module.Arrays, batch_size: int):
        self.x, self.y, self.sw = arrays.to_tensors()
        self.n = len(arrays)
        # A batch larger than the data is one batch of all of it (as keras). Clamping here also
        # keeps any size Python accepts (10**12, 2**32 + 8) out of the compiled steps, which
        # count in int32 and would otherwise run no step or wrap around.
        self.batch_size = min(_validation.positive_int(batch_size, "batch_size"), self.n)
        self.steps_per_epoch = math.ceil(self.n / self.batch_size)
        self.order = tf.range(self.n, dtype=tf.int32)
        self.weighted = arrays.sample_weight is not None
        self.y_shape = None if arrays.y is None else tf.nest.map_structure(
            lambda a: a.shape, arrays.y)
        self.feature_shape = tf.nest.map_structure(lambda a: tuple(a.shape[1:]), arrays.x)

    def begin_epoch(self, order_fn: Callable[[int], tf.Tensor] | None = None) -> None:
        """Sets this epoch's order: ``order_fn(n)`` (a shuffled permutation) or range(n)."""
        if order_fn is not None:
            self.order = order_fn(self.n)


def _spec_of(value: np.ndarray) -> tf.TensorSpec:
    return tf.TensorSpec((None,) + value.shape[1:], tf.as_dtype(value.dtype))


def _host(entry: Any) -> Any:
    """A batch entry as NumPy arrays, nests kept (lists become tuples, which tf.data nests);
    a None in a dict (an optional input not given) is left out."""
    if isinstance(entry, dict):
        return {k: _host(v) for k, v in entry.items() if v is not None}
    if isinstance(entry, (list, tuple)):
        return tuple(_host(v) for v in entry)
    return np.asarray(entry)


def _as_element(batch: Any) -> tuple:
    return tuple(_host(v) for v in (batch if isinstance(batch, tuple) else (batch,)))


def _merged_spec(*values: np.ndarray) -> tf.TensorSpec:
    """The spec of one array over the peeked batches: a dimension the batches disagree on is
    None (keras's rule)."""
    if any(v.ndim != values[0].ndim for v in values):
        raise ValueError("Generator batches must keep the rank of each array. The first two "
                         f"had shapes {[v.shape for v in values]}.")
    dims = [d if all(v.shape[i] == d for v in values) else None
            for i, d in enumerate(values[0].shape)]
    return tf.TensorSpec([None] + dims[1:], tf.as_dtype(values[0].dtype))


# keras reads this many batches of a generator to learn the shapes (NUM_BATCHES_FOR_TENSOR_SPEC)
_PEEK = 2


def generator_to_dataset(generator: types.GeneratorType) -> tf.data.Dataset:
    """Wraps a Python generator of ``(x, y[, sample_weight])`` batches as a dataset (x may be
    a list or dict of arrays, with None for an optional input).

    The first two batches are read to learn the shapes and dtypes (a dimension they disagree
    on, such as a sequence length, is left unknown, as in keras), then put back in front.
    """
    peeked = [_as_element(b) for b in itertools.islice(generator, _PEEK)]
    if not peeked:
        raise ValueError("The generator passed as `x` yielded no batches.")
    for path, v in enumerate(tf.nest.flatten(peeked[0])):
        if v.ndim == 0 or v.dtype == object:
            raise ValueError(
                "Generator batches must be tuples of arrays (or lists or dicts of arrays) with "
                f"a batch dimension; array {path} of the first batch has shape {v.shape} and "
                f"dtype {v.dtype}.")
    for batch in peeked[1:]:
        try:
            tf.nest.assert_same_structure(peeked[0], batch)
        except (ValueError, TypeError) as error:
            raise ValueError("Generator batches must all have the same structure. The first "
                             f"two differ: {error}") from None
    signature = tf.nest.map_structure(_merged_spec, *peeked)
    rest = (_as_element(b) for b in generator)
    return tf.data.Dataset.from_generator(lambda: itertools.chain(peeked, rest),
                                          output_signature=signature)


class StreamAdapter:
    """Batches read from a dataset (or a generator) by the compiled loop itself, through
    ``iterator``.

    Without ``steps_per_epoch`` every epoch iterates the whole dataset afresh (so a dataset that
    shuffles reshuffles). With it, one iterator continues across epochs, as in keras; when the
    data run out the epoch ends early and the trainer stops with a warning.
    """

    streamed = True

    def __init__(self, x: Any, steps_per_epoch: int | None, shuffle: bool = False):
        self.is_generator = isinstance(x, types.GeneratorType)
        self.dataset = generator_to_dataset(x) if self.is_generator else (
            py_dataset_to_dataset(x, shuffle) if isinstance(x, PyDataset) else x)
        spec = self.dataset.element_spec
        parts = spec if isinstance(spec, tuple) else (spec,)
        if not all(isinstance(p, tf.TensorSpec) for p in tf.nest.flatten(parts)) or \
                len(parts) > 3:
            raise ValueError(
                "Expected dataset elements (x,), (x, y) or (x, y, sample_weight) of tensors. "
                f"Received element_spec={spec}")
        for x_spec in tf.nest.flatten(parts[0]):
            if x_spec.shape.rank is None or x_spec.shape.rank < 2:
                raise ValueError(
                    "Expected batched dataset elements, with x of shape (batch, features...). "
                    f"Received x of shape {x_spec.shape}. Did you forget "
                    "dataset.batch(batch_size)?")
        self.feature_shape = tf.nest.map_structure(lambda p: tuple(p.shape[1:]), parts[0])
        self.y_shape = None if len(parts) < 2 else tf.nest.map_structure(
            lambda p: tuple(p.shape), parts[1])
        self.weighted = len(parts) > 2
        cardinality = int(self.dataset.cardinality())
        known = cardinality if cardinality >= 0 else None
        self.steps_per_epoch = steps_per_epoch or known
        self._persistent = steps_per_epoch is not None or self.is_generator
        self.iterator = None

    def begin_epoch(self, order_fn: Any = None) -> None:
        if self.iterator is None or not self._persistent:
            self.iterator = iter(self.dataset)
