"""The ``dtype=`` argument of losses and metrics: accepted as keras does, computed in float32.

keras's `Loss` and `Metric` take ``dtype=None`` (``floatx()``, float32), a dtype name, a
``tf.DType``, or a ``DTypePolicy`` (its ``compute_dtype`` is used). minikeras always computes in
float32 (built-in state variables included); a ``dtype`` other than float32 only sets the dtype
of what ``__call__``/``result()`` return (the float32 value cast to it), so that code checking
the output's dtype sees what keras gives. Losses refuse non-floating dtypes; metrics also take
integer ones (as keras's tests do, e.g. ``MeanAbsoluteError(dtype="int32")``).

Example:
  >>> float_dtype(None), float_dtype("bfloat16"), float_dtype(tf.float16)
  ('float32', 'bfloat16', 'float16')
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


def float_dtype(dtype: Any, arg: str = "dtype", allow_int: bool = False) -> str:
    """The name of the floating dtype ``dtype`` stands for (None -> ``"float32"``).

    Args:
      allow_int: Also accept integer dtypes (keras's metrics take ``dtype="int32"``: the
        float32 result is then cast, so truncated). Default False (losses).

    Raises:
      ValueError: ``dtype`` is not a floating (or allowed integer) dtype, or not a dtype.
    """
    if dtype is None:
        return "float32"
    policy_dtype = getattr(dtype, "compute_dtype", None)  # a DTypePolicy
    if isinstance(policy_dtype, str) or isinstance(policy_dtype, tf.DType):
        dtype = policy_dtype
    if isinstance(dtype, str):
        dtype = _MIXED.get(dtype, dtype)
    try:
        resolved = tf.as_dtype(np.dtype(dtype) if isinstance(dtype, type) else dtype)
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or not (resolved.is_floating or (
            allow_int and resolved.is_integer and not resolved.is_quantized)):
        kind = "a floating-point or integer" if allow_int else "a floating-point"
        raise ValueError(
            f"Expected `{arg}` to be {kind} dtype (minikeras computes in float32 and "
            f"casts results to it), a DTypePolicy or None. Received: {arg}={dtype!r}")
    return resolved.name


def cast_result(value: tf.Tensor, dtype: str) -> tf.Tensor:
    """``value`` (float32) cast to ``dtype`` when it differs, else ``value`` itself."""
    return value if dtype == "float32" or value.dtype.name == dtype else tf.cast(value, dtype)
