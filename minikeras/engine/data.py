"""Input checking and preparation for fit, evaluate and predict on in-memory arrays.

Everything here runs on the host, once per call, before any model or optimizer state changes:
a mistake in the data raises a ValueError or TypeError that names the argument and says what was
expected and what was received.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf


@dataclass
class Arrays:
    """Checked host arrays: x (float32, or integers as given), y (float32 or None),
    sample_weight (float32 or None). For a model with several inputs or outputs, x or y is a
    tuple of arrays in the model's input or output order; x is a dict keyed by input name
    when some optional input was given as None (it is absent from the dict)."""

    x: Any
    y: Any = None
    sample_weight: np.ndarray | None = None

    def __len__(self) -> int:
        return int(tf.nest.flatten(self.x)[0].shape[0])

    def to_tensors(self) -> tuple[Any, Any, tf.Tensor]:
        """Moves the arrays to the default device once; sample weights default to ones."""
        sw = self.sample_weight if self.sample_weight is not None else np.ones(len(self), np.float32)
        y = None if self.y is None else tf.nest.map_structure(tf.constant, self.y)
        return tf.nest.map_structure(tf.constant, self.x), y, tf.constant(sw)

    def rows(self, part: slice) -> Arrays:
        """The rows ``part`` of every array."""
        take = lambda a: tf.nest.map_structure(lambda v: v[part], a)  # noqa: E731
        return Arrays(take(self.x), None if self.y is None else take(self.y),
                      None if self.sample_weight is None else self.sample_weight[part])


def _split(value: Any, names: list[str] | None, arg: str) -> list[tuple[str, Any]] | None:
    """``value`` as ``[(label, array-like)]`` for a model with several inputs/outputs named
    ``names`` (a list or tuple in that order, or a dict keyed by them); None for one."""
    if names is None:
        if isinstance(value, dict):
            raise TypeError(f"Expected `{arg}` to be one array: the model has a single "
                            f"{'input' if arg == 'x' else 'output'}. Received a dict with keys "
                            f"{sorted(value)}.")
        return None
    if isinstance(value, dict):
        missing = [k for k in names if k not in value]
        if missing:
            raise ValueError(f"`{arg}` has no entry for {missing}; the model's "
                             f"{'inputs' if arg == 'x' else 'outputs'} are {names}. Received "
                             f"keys {sorted(value)}.")
        return [(f"{arg}['{k}']", value[k]) for k in names]
    if not isinstance(value, (list, tuple)) or len(value) != len(names):
        got = f"{len(value)} arrays" if isinstance(value, (list, tuple)) else "one array"
        raise ValueError(f"Expected `{arg}` to be a list of {len(names)} arrays (or a dict keyed "
                         f"by {names}), one per model {'input' if arg == 'x' else 'output'}. "
                         f"Received {got}.")
    return [(f"{arg}[{i}]", v) for i, v in enumerate(value)]


def _to_numpy(value: Any, arg: str) -> np.ndarray:
    if isinstance(value, (tf.Tensor, tf.Variable)):
        value = value.numpy()
    if isinstance(value, (dict, set, str, bytes)) or value is None:
        raise TypeError(
            f"Expected `{arg}` to be a NumPy array, a tf.Tensor or a nested list of numbers. "
            f"Received: {arg} of type {type(value).__name__}")
    try:
        arr = np.asarray(value)
    except Exception as err:  # ragged nested lists and the like
        raise ValueError(f"Could not convert `{arg}` to an array: {err}") from None
    if arr.dtype.kind not in "biuf":  # bool, signed, unsigned, float
        if arr.dtype.kind == "c":
            raise TypeError(
                f"Expected `{arg}` to hold real numbers. Received an array of dtype {arr.dtype} "
                "(complex); minikeras would silently drop the imaginary part. Pass the real "
                "part (np.real) or both parts as separate features.")
        if arr.dtype == object and _has_huge_int(value):
            raise ValueError(
                f"Expected `{arg}` to hold numbers that fit in float32. Received integers too "
                "large for any NumPy integer type.")
        raise TypeError(
            f"Expected `{arg}` to hold numbers. Received an array of dtype {arr.dtype}.")
    return arr


def _has_huge_int(value: Any) -> bool:
    """True when a nested list holds a Python int beyond int64/uint64 (NumPy makes it object)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool) and \
                not -2**63 <= item < 2**64:
            return True
    return False


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_finite(arr: np.ndarray, arg: str) -> None:
    """NaN, inf, and finite values that become inf as float32 (beyond about 3.4e38) raise a
    ValueError naming ``arg`` and the index of the first one. Integers always fit float32's
    range (int64/uint64 top out near 1.8e19), so only floats are checked."""
    if arr.dtype.kind != "f":
        return
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"`{arg}` contains {int(bad.sum())} NaN or infinite value(s); the first is in row "
            f"{index[0]} (index {index}). Remove or impute them before training.")
    if arr.dtype.itemsize > 4:
        with np.errstate(invalid="ignore"):
            big = np.abs(arr) > _FLOAT32_MAX
        if big.any():
            index = tuple(int(i) for i in np.argwhere(big)[0])
            raise ValueError(
                f"`{arg}` contains {int(big.sum())} value(s) beyond float32's range "
                f"(|value| > {_FLOAT32_MAX:.6g}), which the model computes in; the first, "
                f"{arr[index].item()!r}, is in row {index[0]} (index {index}). Rescale the data.")


def _check_x(value: Any, arg: str) -> np.ndarray:
    arr = _to_numpy(value, arg)
    if arr.ndim < 1:
        raise ValueError(
            f"Expected `{arg}` to have a batch dimension, shaped (samples, ...). Received a "
            f"scalar of shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"Expected `{arg}` to hold at least one sample. Received shape "
                         f"{arr.shape}.")
    _check_finite(arr, arg)
    # Integers stay integers (indices for an Embedding); layers that compute in float32
    # convert them. Floats and bools become float32.
    return arr if arr.dtype.kind in "iu" else arr.astype(np.float32, copy=False)


def _check_y(value: Any, arg: str, x_shape: tuple, x_label: str) -> np.ndarray:
    arr = _to_numpy(value, arg)
    n = x_shape[0]
    if arr.ndim == 0 or arr.shape[0] != n:
        raise ValueError(
            f"Expected `{x_label}` and `{arg}` to have the same number of samples. Received: "
            f"{x_label}.shape={x_shape} ({n} samples), {arg}.shape={arr.shape}.")
    _check_finite(arr, arg)
    return arr


def check_arrays(x: Any, y: Any = None, sample_weight: Any = None, *,
                 require_y: bool = True, x_names: list[str] | None = None,
                 y_names: list[str] | None = None) -> tuple[Arrays, Any]:
    """Converts and validates x, y and sample_weight.

    ``x_names``/``y_names`` name the inputs/outputs of a model that has several; x or y is
    then a list in that order or a dict keyed by them. Returns the host arrays and y as given
    (for target checks such as integer labels).
    """
    if x is None:
        raise ValueError("Expected input data `x`. Received: x=None")
    parts = _split(x, x_names, "x")
    if parts is None:
        x_arr: Any = _check_x(x, "x")
        n, x_label, x_shape = x_arr.shape[0], "x", x_arr.shape
    else:
        given = [(label, v) for label, v in parts if v is not None]
        if not given:
            raise ValueError("Expected input data `x`. Received None for every input.")
        x_arr = tuple(_check_x(v, label) for label, v in given)
        n, x_label, x_shape = x_arr[0].shape[0], given[0][0], x_arr[0].shape
        for (label, _), arr in zip(given, x_arr):
            if arr.shape[0] != n:
                raise ValueError(f"Expected every input to have the same number of samples. "
                                 f"Received {parts[0][0]} with {n}, {label} with "
                                 f"{arr.shape[0]}.")
        if len(given) < len(parts):  # None for an optional input: keyed by name, it is absent
            x_arr = dict(zip([name for name, (_, v) in zip(x_names, parts) if v is not None],
                             x_arr))
    y_arr: Any = None
    if y is None:
        if require_y:
            raise ValueError("Expected target data `y`. Received: y=None")
    else:
        y_parts = _split(y, y_names, "y")
        y_arr = _check_y(y, "y", x_shape, x_label) if y_parts is None else tuple(
            _check_y(v, label, x_shape, x_label) for label, v in y_parts)
    sw_arr = None
    if sample_weight is not None:
        sw_arr = _to_numpy(sample_weight, "sample_weight")
        if sw_arr.ndim == 2 and sw_arr.shape[1] == 1:
            sw_arr = sw_arr[:, 0]
        if sw_arr.shape != (n,):
            raise ValueError(
                f"Expected `sample_weight` of shape ({n},), one weight per sample. Received "
                f"shape {sw_arr.shape}.")
        _check_finite(sw_arr, "sample_weight")
        if (sw_arr < 0).any():
            raise ValueError("Expected non-negative `sample_weight` values; found a negative one.")
        sw_arr = sw_arr.astype(np.float32)
    y_float = None if y_arr is None else tf.nest.map_structure(
        lambda a: a.astype(np.float32, copy=False), y_arr)
    return Arrays(x_arr, y_float, sw_arr), y_arr


def split_validation(data: Arrays, validation_split: float) -> tuple[Arrays, Arrays | None]:
    """Splits off the last ``validation_split`` fraction of rows, before any shuffling (keras)."""
    if isinstance(validation_split, bool) or not isinstance(validation_split, numbers.Real) or \
            not 0 <= validation_split < 1:
        raise ValueError(
            "Expected `validation_split` to be a float in [0, 1). Received: "
            f"validation_split={validation_split!r}")
    if validation_split == 0:
        return data, None
    n = len(data)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"validation_split={validation_split} leaves no data for training or validation with "
            f"{n} samples (training would get {split_at}).")

    return data.rows(slice(0, split_at)), data.rows(slice(split_at, n))


def unpack_validation_data(validation_data: Any) -> tuple[Any, Any, Any]:
    """Accepts ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "Expected `validation_data` to be a tuple (x_val, y_val) or (x_val, y_val, "
            f"val_sample_weight). Received: {type(validation_data).__name__}"
            + (f" of length {len(validation_data)}" if isinstance(validation_data, (tuple, list))
               else ""))
    x, y, *rest = validation_data
    return x, y, (rest[0] if rest else None)


def class_weight_to_sample_weight(y: np.ndarray, class_weight: Any) -> np.ndarray:
    """Per-sample weights ``class_weight[label]``; labels are y, or argmax(y) for one-hot y.

    Unlike keras (which gives unlisted classes weight 1), every class present in y must be
    listed: a forgotten class is more often a mistake than a wish.
    """
    if not isinstance(class_weight, dict) or not class_weight:
        raise TypeError(
            "Expected `class_weight` to be a non-empty dict {class index: weight}. "
            f"Received: {class_weight!r}")
    for key, value in class_weight.items():
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)):
            raise TypeError(f"`class_weight` keys must be integer class indices. Received: {key!r}")
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                not math.isfinite(value) or value < 0:
            raise ValueError(
                f"`class_weight` values must be non-negative finite numbers. Received: "
                f"{{{key}: {value!r}}}")
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(-1) if labels.shape[-1] != 1 else labels[..., 0]
    labels = np.round(labels).astype(np.int64).reshape(-1)
    missing = sorted(set(np.unique(labels).tolist()) - {int(k) for k in class_weight})
    if missing:
        raise ValueError(
            f"`class_weight` has no weight for class(es) {missing} present in y. "
            f"Received weights for classes {sorted(int(k) for k in class_weight)}.")
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in labels], np.float32)
