"""The optimizers' argument checks (keras's wording), shared by every optimizer."""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras import _validation
from minikeras.optimizers.learning_rate_variable import LearningRateVariable


def check_learning_rate(value: Any) -> float:
    """Returns a non-negative finite float learning rate, or raises a ValueError."""
    if not _validation.is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(
            "Argument `learning_rate` should be a non-negative finite float, a "
            "LearningRateSchedule, or a callable of the step. "
            f"Received: learning_rate={value!r}")
    return float(value)


def check_float(name: str, value: Any, low: float, high: float = math.inf,
                low_open: bool = False, high_open: bool = False) -> float:
    """`_validation.real` with the argument name first (the optimizers' call order)."""
    return _validation.real(value, name, low, high, low_open, high_open)


def check_bool(name: str, value: Any) -> bool:
    """`_validation.boolean` with the argument name first."""
    return _validation.boolean(value, name)


def optional_positive(name: str, value: Any) -> float | None:
    if value is None:
        return None
    return check_float(name, value, 0.0, low_open=True, high_open=True)


def plain_learning_rate(value: Any) -> Any:
    """A learning rate given as a variable or scalar tensor, as a float (keras accepts them);
    anything else unchanged, for `check_learning_rate` to judge."""
    if isinstance(value, (LearningRateVariable, tf.Variable, tf.Tensor)) and \
            tuple(value.shape) == () and tf.as_dtype(value.dtype).is_floating:
        return float(value.numpy())
    return value


def takes_step(fn: Callable) -> bool:
    """Whether a learning-rate callable accepts the step (keras calls plain callables with
    no argument; minikeras passes the step to any callable that can take one)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
               for p in params)
