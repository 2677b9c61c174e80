"""Operations in a functional graph: Python operators on symbolic tensors, as keras records them.

    inputs_a, inputs_b = Input((3,)), Input((3,))
    x = inputs_a + inputs_b          # an `Operation("Add")` node, as keras's ops.add
    y = x[:, :2] * 2                 # "GetItem" then "Multiply"

Each is an `Operation`: a layer without weights holding the name of one TensorFlow function
from a fixed table (no code is stored or loaded), called on the list of its operands (symbolic
tensors or Python numbers). A functional model lists them in `operations`, not in `layers`,
as keras does, and saves them by name.

`minikeras.ops` functions called on symbolic tensors are recorded the same way, as
``Operation("ops.concatenate", arguments=...)``: the function's name from the `FUNCTIONS`
table (filled by `minikeras.ops`) and its other arguments as JSON data, the symbolic tensors
replaced by ``{"__tensor__": i}``, the i-th of the node's inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras._naming import to_snake_case, unique_name
from minikeras.layers.layer import Layer

BINARY = {
    "Add": tf.add, "Subtract": tf.subtract, "Multiply": tf.multiply,
    "TrueDivide": tf.truediv, "FloorDivide": tf.math.floordiv, "Mod": tf.math.floormod,
    "Power": tf.pow, "Matmul": tf.matmul, "Equal": tf.equal, "NotEqual": tf.not_equal,
    "Less": tf.less, "LessEqual": tf.less_equal, "Greater": tf.greater,
    "GreaterEqual": tf.greater_equal,
}
UNARY = {"Negative": tf.negative, "Absolute": tf.abs}
OPS = sorted([*BINARY, *UNARY, "GetItem"])
# "ops.<name>" -> the minikeras.ops function; filled when minikeras.ops is imported
FUNCTIONS: dict[str, Any] = {}


def _encode_key(key: Any) -> Any:
    """A ``__getitem__`` key as JSON data (keras's ``__slice__``/``__ellipsis__`` entries)."""
    if isinstance(key, tuple):
        return [_encode_key(k) for k in key]
    if isinstance(key, slice):
        parts = (key.start, key.stop, key.step)
        if not all(p is None or isinstance(p, int) for p in parts):
            raise TypeError(f"Only integer slices of symbolic tensors are supported. "
                            f"Received: {key!r}")
        return {"class_name": "__slice__",
                "config": {"start": key.start, "stop": key.stop, "step": key.step}}
    if key is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if key is None or (isinstance(key, int) and not isinstance(key, bool)):
        return key
    raise TypeError("A symbolic tensor can be indexed with integers, slices, None and "
                    f"Ellipsis only. Received: {key!r} of type {type(key).__name__}")


def _decode_key(data: Any) -> Any:
    """A key from `_encode_key`'s data, or given as Python (checked either way)."""
    if isinstance(data, (list, tuple)):
        return tuple(_decode_key(k) for k in data)
    if isinstance(data, slice):
        _encode_key(data)
        return data
    if isinstance(data, dict) and data.get("class_name") == "__slice__":
        config = data.get("config")
        if not isinstance(config, dict):
            raise ValueError(f"A slice entry needs a config dict. Received: {data!r}")
        return slice(*(_encode_key(config.get(k)) for k in ("start", "stop", "step")))
    if data is Ellipsis or (isinstance(data, dict) and data.get("class_name") == "__ellipsis__"):
        return Ellipsis
    return _encode_key(data)  # None or an int, checked


class Operation(Layer):
    """One TensorFlow operation of a functional graph, named by keras's op class name.

    Args:
      op: One of `OPS` (``"Add"``, ``"Multiply"``, ``"GetItem"``...), or ``"ops.<name>"`` for
        a `minikeras.ops` function.
      key: For ``"GetItem"``, the index (ints, slices, None, Ellipsis, or a tuple of them).
      arguments: For an ``"ops.<name>"`` op, ``{"args": [...], "kwargs": {...}}``: JSON data
        with ``{"__tensor__": i}`` where the i-th input goes and ``{"__array__": [...],
        "dtype": "float32"}`` for a NumPy constant.
      name: Optional name; defaults to the snake-cased op name made unique (``add_1``).
    """

    def __init__(self, op: str, key: Any = None, arguments: dict | None = None,
                 name: str | None = None, **kwargs: Any):
        if op not in OPS and op not in FUNCTIONS:
            raise ValueError(f"Unknown operation {op!r}; expected one of {OPS} or "
                             "'ops.<name>' for a minikeras.ops function.")
        super().__init__(name=name or _auto_name(op.rpartition(".")[2]), **kwargs)
        self.op = op
        self.key = _decode_key(key) if op == "GetItem" else None
        self.arguments = _check_arguments(arguments) if op in FUNCTIONS else None
        self.built = True

    def _convert_input(self, value: Any) -> Any:
        if isinstance(value, (bool, int, float)):  # a constant operand keeps Python's type
            return value
        return super()._convert_input(value)

    def call(self, inputs: Any) -> Any:
        if self.op in FUNCTIONS:
            tensors = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
            return FUNCTIONS[self.op](*fill_arguments(self.arguments["args"], tensors),
                                      **fill_arguments(self.arguments["kwargs"], tensors))
        if self.op == "GetItem":
            return inputs[self.key]
        if self.op in UNARY:
            return UNARY[self.op](inputs)
        a, b = inputs
        dtype = next(t.dtype for t in (a, b) if isinstance(t, (tf.Tensor, tf.Variable)))
        a, b = (tf.convert_to_tensor(t, dtype) if isinstance(t, (bool, int, float)) else t
                for t in (a, b))
        return BINARY[self.op](a, b)

    def get_config(self) -> dict:
        config = {"name": self.name, "op": self.op}
        if self.op == "GetItem":
            config["key"] = _encode_key(self.key)
        if self.arguments is not None:
            config["arguments"] = self.arguments
        return config


def _is_marker(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"__tensor__"}


def fill_arguments(template: Any, tensors: list) -> Any:
    """``template`` with each ``{"__tensor__": i}`` replaced by ``tensors[i]``."""
    if _is_marker(template):
        index = template["__tensor__"]
        if not (isinstance(index, int) and 0 <= index < len(tensors)):
            raise ValueError(f"Operation arguments refer to input {index!r}, but the operation "
                             f"has {len(tensors)} input(s).")
        return tensors[index]
    if isinstance(template, dict) and set(template) == {"__array__", "dtype"}:
        return np.asarray(template["__array__"], dtype=_numeric_dtype(template["dtype"]))
    if isinstance(template, dict):
        return {k: fill_arguments(v, tensors) for k, v in template.items()}
    if isinstance(template, list):
        return [fill_arguments(v, tensors) for v in template]
    return template


def _numeric_dtype(name: Any) -> np.dtype:
    """A NumPy dtype of numbers or booleans named ``name`` (nothing else is accepted)."""
    try:
        dtype = np.dtype(name) if isinstance(name, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "biuf":
        raise ValueError(f"Operation array constants need a numeric dtype. Received: {name!r}")
    return dtype


def _check_arguments(arguments: Any) -> dict:
    """An ``ops.<name>`` op's arguments: a dict of ``args`` (a list) and ``kwargs`` (a dict)
    holding JSON data only (a file never carries anything else)."""
    if not (isinstance(arguments, dict) and set(arguments) == {"args", "kwargs"} and
            isinstance(arguments["args"], list) and isinstance(arguments["kwargs"], dict)):
        raise ValueError("Expected `arguments` to be a dict of 'args' (a list) and 'kwargs' (a "
                         f"dict). Received: {arguments!r}")

    def check(value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise ValueError(f"Operation arguments need string keys. Received: {k!r}")
                check(v)
        elif isinstance(value, list):
            for v in value:
                check(v)
        elif not (value is None or isinstance(value, (bool, int, float, str))):
            raise TypeError("Operation arguments hold numbers, strings, None, lists and "
                            f"dicts only. Received: {value!r} of type {type(value).__name__}")
    check(arguments)
    return arguments


def _auto_name(op: str) -> str:
    return unique_name(to_snake_case(op))


def apply(op: str, operands: list, key: Any = None) -> Any:
    """``Operation(op)`` called on ``operands``: one tensor, or a list of two operands (a
    call on symbolic tensors records a node)."""
    return Operation(op, key=key)(operands[0] if len(operands) == 1 else list(operands))
