"""Operations in a functional graph: Python operators on symbolic tensors, as keras records them.

    inputs_a, inputs_b = Input((3,)), Input((3,))
    x = inputs_a + inputs_b          # an `Operation("Add")` node, as keras's ops.add
    y = x[:, :2] * 2                 # "GetItem" then "Multiply"

Each is an `Operation`: a layer without weights holding the name of one TensorFlow function
from a fixed table (no code is stored or loaded), called on the list of its operands (symbolic
tensors or Python numbers). A functional model lists them in `operations`, not in `layers`,
as keras does, and saves them by name.
"""
from __future__ import annotations

from typing import Any

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
        return {"class_name": "__ellipsis__"}
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
    if isinstance(data, dict) and data.get("class_name") == "__ellipsis__":
        return Ellipsis
    return _encode_key(data)  # None or an int, checked


class Operation(Layer):
    """One TensorFlow operation of a functional graph, named by keras's op class name.

    Args:
      op: One of `OPS` (``"Add"``, ``"Multiply"``, ``"GetItem"``...).
      key: For ``"GetItem"``, the index (ints, slices, None, Ellipsis, or a tuple of them).
      name: Optional name; defaults to the snake-cased op name made unique (``add_1``).
    """

    def __init__(self, op: str, key: Any = None, name: str | None = None, **kwargs: Any):
        if op not in OPS:
            raise ValueError(f"Unknown operation {op!r}; expected one of {OPS}.")
        super().__init__(name=name or _auto_name(op), **kwargs)
        self.op = op
        self.key = _decode_key(key) if op == "GetItem" else None
        self.built = True

    def _convert_input(self, value: Any) -> Any:
        if isinstance(value, (bool, int, float)):  # a constant operand keeps Python's type
            return value
        return super()._convert_input(value)

    def call(self, inputs: Any) -> Any:
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
        return config


def _auto_name(op: str) -> str:
    return unique_name(to_snake_case(op))


def apply(op: str, operands: list, key: Any = None) -> Any:
    """``Operation(op)`` called on ``operands``: one tensor, or a list of two operands (a
    call on symbolic tensors records a node)."""
    return Operation(op, key=key)(operands[0] if len(operands) == 1 else list(operands))
