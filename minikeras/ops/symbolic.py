"""`minikeras.ops` on symbolic tensors: in a functional model, ``ops.concatenate([a, b])`` on
`Input`s records an `Operation` node (as keras.ops does), which runs the same function on real
tensors when the model is called, and saves as its name and JSON arguments.

Example:
    >>> import minikeras as keras
    >>> from minikeras import ops
    >>> a, b = keras.Input((2,)), keras.Input((3,))
    >>> model = keras.Model([a, b], ops.mean(ops.concatenate([a, b], axis=-1), axis=-1))
    >>> model.output.shape
    (None,)
    >>> float(model([ops.ones((1, 2)), ops.zeros((1, 3))])[0])
    0.4
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras.layers.operations import FUNCTIONS, Operation
from minikeras.layers.symbolic import SymbolicTensor

# Functions that answer from a symbolic tensor's static shape, as keras's do.
_STATIC = {"shape": lambda x: tuple(x.shape), "ndim": lambda x: len(x.shape)}
# Functions that keep their own behaviour (convert_to_numpy needs values).
_PLAIN = {"convert_to_numpy"}


def _has_symbolic(value: Any) -> bool:
    if isinstance(value, SymbolicTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_symbolic(v) for v in value)
    if isinstance(value, dict):
        return any(_has_symbolic(v) for v in value.values())
    return False


def _encode(value: Any, tensors: list, name: str) -> Any:
    """``value`` as JSON data, each symbolic tensor appended to ``tensors`` and replaced by
    ``{"__tensor__": its index}``."""
    if isinstance(value, SymbolicTensor):
        tensors.append(value)
        return {"__tensor__": len(tensors) - 1}
    if isinstance(value, (list, tuple)):
        return [_encode(v, tensors, name) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v, tensors, name) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"__array__": value.tolist(), "dtype": value.dtype.name}
    if isinstance(value, tf.DType):
        return value.name
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"ops.{name} on symbolic tensors takes symbolic tensors, Python numbers, "
                    f"strings, numeric NumPy arrays and lists of them. Received: {value!r} of "
                    f"type "
                    f"{type(value).__name__}")


def traceable(name: str, fn: Callable) -> Callable:
    """``fn`` (the `minikeras.ops` function ``name``), recording an `Operation` when called on
    symbolic tensors and calling ``fn`` otherwise."""
    if name in _PLAIN:
        return fn
    FUNCTIONS[f"ops.{name}"] = fn

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _has_symbolic((args, kwargs)):
            return fn(*args, **kwargs)
        if name == "convert_to_tensor":
            return args[0] if args else kwargs["x"]
        if name in _STATIC and args and isinstance(args[0], SymbolicTensor):
            return _STATIC[name](args[0])
        tensors: list = []
        arguments = {"args": _encode(list(args), tensors, name),
                     "kwargs": _encode(kwargs, tensors, name)}
        return Operation(f"ops.{name}", arguments=arguments)(
            tensors if len(tensors) > 1 else tensors[0])
    return wrapper
