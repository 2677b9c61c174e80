"""Sliding windows over a timeseries as a `tf.data.Dataset` (keras's
``utils.timeseries_dataset_from_array``)."""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation


def timeseries_dataset_from_array(data: Any, targets: Any, sequence_length: int,
                                  sequence_stride: int = 1, sampling_rate: int = 1,
                                  batch_size: int | None = 128, shuffle: bool = False,
                                  seed: int | None = None, start_index: int | None = None,
                                  end_index: int | None = None) -> tf.data.Dataset:
    """Windows of ``sequence_length`` time steps from ``data``, batched, with their targets.

    Window ``i`` starts at ``p_i = start_index + i * sequence_stride`` and holds the rows
    ``data[p_i + k * sampling_rate]`` for ``k < sequence_length``; its target is
    ``targets[p_i]`` (so ``targets=data[sequence_length:]`` pairs each window with the next
    step). Only windows that fit before ``end_index`` (and within ``targets``) are made.
    With ``shuffle``, the window order is drawn from ``np.random.RandomState(seed)`` and then
    shuffled within a buffer of ``8 * batch_size`` windows, as keras does.

    Args:
      data: Array of shape ``(steps, ...)``.
      targets: Array with one target per time step, or None (the dataset then yields
        windows only).
      sequence_length: Time steps per window.
      sequence_stride: Steps between the starts of consecutive windows. Default 1.
      sampling_rate: Steps between the rows of one window. Default 1.
      batch_size: Windows per batch; None yields single windows. Default 128.
      shuffle: Whether to shuffle the windows. Default False.
      seed: Seed for the shuffle. Default None (a random one).
      start_index: First row used. Default None (0).
      end_index: Rows from here on are not used. Default None (the end).

    Example:
      >>> import numpy as np
      >>> from minikeras.utils import timeseries_dataset_from_array
      >>> steps = np.arange(10)
      >>> ds = timeseries_dataset_from_array(steps, steps[3:], sequence_length=3, batch_size=2)
      >>> windows, targets = next(iter(ds))
      >>> windows.numpy().tolist(), targets.numpy().tolist()
      ([[0, 1, 2], [1, 2, 3]], [3, 4])
    """
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError("Expected `data` to be an array of time steps. Received a scalar.")
    n = len(data)
    for arg, value in (("sequence_length", sequence_length), ("sequence_stride", sequence_stride),
                       ("sampling_rate", sampling_rate)):
        _validation.positive_int(value, arg)
    for arg, value in (("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate)):
        if value >= n:
            raise ValueError(f"`{arg}` must be lower than the length of the data. Received: "
                             f"{arg}={value}, for data of length {n}")
    if batch_size is not None:
        _validation.positive_int(batch_size, "batch_size")
    start = 0 if start_index is None else start_index
    end = n if end_index is None else end_index
    if not (_is_int(start) and _is_int(end) and 0 <= start < end <= n):
        raise ValueError("Expected 0 <= start_index < end_index <= len(data). Received: "
                         f"start_index={start_index}, end_index={end_index}, for data of "
                         f"length {n}")
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets))
    positions = np.arange(0, max(count, 0), sequence_stride, dtype=np.int64)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(positions)
    offsets = np.arange(sequence_length, dtype=np.int64) * sampling_rate
    rows = tf.constant(data[start:end])
    windows = tf.data.Dataset.from_tensor_slices(positions[:, None] + offsets[None, :])
    dataset = windows.map(lambda index: tf.gather(rows, index))
    if targets is not None:
        values = tf.constant(targets[start:end])
        dataset = tf.data.Dataset.zip(
            (dataset, tf.data.Dataset.from_tensor_slices(positions).map(
                lambda index: tf.gather(values, index))))
    if shuffle:
        dataset = dataset.shuffle(8 * batch_size if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
