"""Argument checks shared by every public constructor and method, with keras's wording.

One rule for the exception type: a value of the wrong kind for a flag (`bool` arguments) is a
`TypeError`; a number that is not a number, out of range or not finite is a `ValueError` (as
keras raises for ``units=0`` or ``momentum=2``). Every message names the argument, says what
was expected and repeats what was received:

    Expected `units` to be a positive integer. Received: units=0
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np


def _fail(arg: str, expected: str, value: Any, error: type = ValueError) -> None:
    raise error(f"Expected `{arg}` to be {expected}. Received: {arg}={value!r}")


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers, False for bools."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value: Any) -> bool:
    """True for Python and NumPy real numbers, False for bools."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def positive_int(value: Any, arg: str) -> int:
    """``int(value)`` if it is an integer > 0, else a ValueError."""
    if not is_int(value) or value <= 0:
        _fail(arg, "a positive integer", value)
    return int(value)


def non_negative_int(value: Any, arg: str) -> int:
    """``int(value)`` if it is an integer >= 0, else a ValueError."""
    if not is_int(value) or value < 0:
        _fail(arg, "a non-negative integer", value)
    return int(value)


def real(value: Any, arg: str, low: float = -math.inf, high: float = math.inf,
         low_open: bool = False, high_open: bool = False) -> float:
    """``float(value)`` if it is a finite real number in the interval, else a ValueError.

    ``low_open``/``high_open`` exclude a bound; the message spells the interval.
    """
    ok = is_real(value) and math.isfinite(value) and (
        value > low if low_open else value >= low) and (
        value < high if high_open else value <= high)
    if not ok:
        if low == -math.inf and high == math.inf:
            _fail(arg, "a finite float", value)
        interval = ("(" if low_open else "[") + f"{low}, {high}" + (")" if high_open else "]")
        _fail(arg, f"a float in {interval}", value)
    return float(value)


def boolean(value: Any, arg: str) -> bool:
    """``value`` if it is a bool (Python or NumPy), else a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(arg, "a bool", value, TypeError)
    return bool(value)


def one_of(value: Any, arg: str, choices: Iterable[Any]) -> Any:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    choices = tuple(choices)
    if value not in choices:
        _fail(arg, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def optional_int(value: Any, arg: str) -> int | None:
    """None, or an integer (a seed, an axis): else a TypeError."""
    if value is not None and not is_int(value):
        _fail(arg, "an integer or None", value, TypeError)
    return None if value is None else int(value)


def shape(value: Any, arg: str = "input_shape") -> tuple:
    """A user-given shape as a tuple of ints and None: ``4``, ``(4,)``, ``[None, 4]``."""
    if hasattr(value, "as_list") and not isinstance(value, (list, tuple)):  # tf.TensorShape
        value = value.as_list() if value.rank is not None else None
    if is_int(value):
        value = (int(value),)
    if not isinstance(value, (tuple, list)):
        _fail(arg, "a tuple of integers", value, TypeError)
    for dim in value:
        if dim is not None and (not is_int(dim) or dim < 0):
            _fail(arg, "a tuple of non-negative integers or None", value)
    return tuple(None if dim is None else int(dim) for dim in value)
