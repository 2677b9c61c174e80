"""Host-side checks of targets against a model's output shape, run before training."""
from __future__ import annotations

from typing import Any

import numpy as np


def _same_rank(a: tuple, b: tuple) -> tuple[tuple, tuple]:
    """`functions.squeeze_or_expand_to_same_rank` on shapes."""
    if len(a) == len(b) + 1 and a[-1] == 1:
        return (a, b + (1,)) if len(b) == 1 else (a[:-1], b)
    if len(b) == len(a) + 1 and b[-1] == 1:
        return (a + (1,), b) if len(a) == 1 else (a, b[:-1])
    return a, b


def check_target_shape(y_shape: tuple, y_pred_shape: tuple, loss_name: str,
                       strict: bool) -> None:
    """Raises ValueError unless targets of ``y_shape`` fit outputs of ``y_pred_shape``.

    Ranks are reconciled as keras does; then every axis after the batch must be equal
    (``strict``, as keras's crossentropies require) or broadcast (one side 1).
    """
    y, p = _same_rank(tuple(y_shape), tuple(y_pred_shape))
    fits = len(y) == len(p) and all(
        a is None or b is None or a == b or (not strict and 1 in (a, b))
        for a, b in zip(y[1:], p[1:]))
    if not fits:
        need = "the same shape as" if strict else "a shape that broadcasts against"
        raise ValueError(
            f"The {loss_name} loss needs targets with {need} the model's output "
            f"{(None,) + tuple(y_pred_shape[1:])}. Received y of shape {tuple(y_shape)}.")


def check_sparse_targets(y_true: Any, y_pred_shape: tuple) -> None:
    """Raises ValueError unless every label is an integer in ``[0, y_pred_shape[-1])``."""
    y = np.asarray(y_true)
    num_classes = y_pred_shape[-1] if len(y_pred_shape) else None
    inner = tuple(y_pred_shape[1:-1])
    if not (y.shape[1:] == inner or y.shape[1:] == inner + (1,)) and all(
            d is not None for d in inner):
        raise ValueError(
            f"Sparse categorical targets are class indices of shape {(None,) + inner} (or with "
            f"a trailing 1) for outputs of shape {(None,) + tuple(y_pred_shape[1:])}. Received y "
            f"of shape {y.shape}; one-hot targets need categorical_crossentropy.")
    valid = f"[0, {num_classes})" if num_classes is not None else "[0, num_classes)"
    if y.dtype.kind not in "biuf":
        raise ValueError(
            f"Sparse categorical targets must be integer class indices in {valid}. "
            f"Received targets of dtype {y.dtype}."
        )
    if y.dtype.kind == "f":
        bad = ~np.isfinite(y) | (y != np.floor(y))
        if bad.any():
            raise ValueError(
                f"Sparse categorical targets must be integer class indices in {valid}. "
                f"Received a non-integer label value of {y[bad][0].item()!r}."
            )
    if num_classes is not None:
        bad = (y < 0) | (y >= num_classes)
        if bad.any():
            raise ValueError(
                f"Received a label value of {y[bad][0].item()!r} which is outside the valid range "
                f"of {valid} (num_classes = y_pred.shape[-1] = {num_classes})."
            )
