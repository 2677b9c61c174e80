"""``pad_sequences``: variable-length sequences to one array, as keras pads them."""
from __future__ import annotations

from typing import Any

import numpy as np

SIDES = ("pre", "post")


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype: Any = "int32",
                  padding: str = "pre", truncating: str = "pre", value: Any = 0.0) -> np.ndarray:
    """Pads (or truncates) each sequence to ``maxlen`` entries; returns one NumPy array.

    ``out[i]`` holds sequence ``i``'s last (``truncating="pre"``) or first (``"post"``)
    ``maxlen`` entries, placed at the end (``padding="pre"``) or the start (``"post"``) of
    its row; the rest is ``value``. Entries may themselves be arrays of one common shape.

    Args:
      sequences: A list of sequences (lists or arrays).
      maxlen: The length of every row (default: the longest sequence).
      dtype: The array's dtype (default "int32").
      padding: "pre" (default) or "post": where the padding goes.
      truncating: "pre" (default) or "post": which end of a longer sequence is dropped.
      value: The padding value (default 0.0).

    Example:
        >>> import minikeras as keras
        >>> keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()
        [[2, 3], [0, 4]]
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    for name, side in (("Padding", padding), ("Truncating", truncating)):
        if side not in SIDES:
            raise ValueError(f'{name} type "{side}" not understood')
    lengths, sample_shape = [], None
    for seq in sequences:
        try:
            lengths.append(len(seq))
        except TypeError as e:
            raise ValueError("`sequences` must be a list of iterables. "
                             f"Found non-iterable: {seq}") from e
        if sample_shape is None and len(seq):
            sample_shape = np.asarray(seq).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: "
                         f"{type(value)}\nYou should set `dtype=object` for variable length "
                         "strings.")
    out = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(sample_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {tuple(sample_shape)}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
