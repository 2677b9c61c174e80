"""keras's approximate-quantile summary for `Discretization.adapt` (NumPy, float32).

A summary is a 2-row array: sorted values and the weight (count) each stands for. Each batch
is summarized by about ``1 / epsilon`` evenly spaced order statistics; summaries merge by a
weighted merge sort and are compressed by interpolating the cumulative weights; the bin
boundaries are the summary compressed to ``num_bins`` entries, without the last. This is
keras's algorithm (keras/src/layers/preprocessing/discretization.py), step for step, so the
same data gives the same boundaries.
"""
from __future__ import annotations

import numpy as np


def empty() -> np.ndarray:
    """The summary of no data."""
    return np.array([[], []], dtype="float32")


def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """The summary of one batch: every ``step``-th sorted value, weighted ``step``, where
    ``step = max(n * epsilon, 1)``."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    boundaries = values[int(step - 1)::int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """The summary re-sampled at cumulative-weight fractions ``epsilon, 2 epsilon, ... 1``
    (unchanged when it is already shorter than ``1 / epsilon``)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def merge(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    """Two summaries merged (sorted by value) and compressed to ``epsilon``."""
    merged = np.concatenate((first, second), axis=1)
    return compress(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


def bin_boundaries(summary: np.ndarray, num_bins: int) -> np.ndarray:
    """``num_bins - 1`` boundaries: the summary compressed to ``num_bins`` entries, last
    dropped."""
    return compress(summary, 1.0 / num_bins)[0, :-1]
