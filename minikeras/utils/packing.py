"""keras's helpers for the ``(x, y, sample_weight)`` tuples a custom `train_step` receives."""
from __future__ import annotations

from typing import Any


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
    (a list counts as a tuple), with None for what is missing.

    Example:
      >>> from minikeras.utils import unpack_x_y_sample_weight
      >>> unpack_x_y_sample_weight(([1.0], [0.0]))
      ([1.0], [0.0], None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if 1 <= len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """The tuple `fit` takes: ``x`` alone (``(x,)`` when x is itself a tuple or list),
    ``(x, y)`` or ``(x, y, sample_weight)``.

    Example:
      >>> from minikeras.utils import pack_x_y_sample_weight
      >>> pack_x_y_sample_weight([1.0], [0.0])
      ([1.0], [0.0])
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    return (x, y) if sample_weight is None else (x, y, sample_weight)
